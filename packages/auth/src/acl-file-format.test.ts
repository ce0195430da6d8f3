import { describe, expect, it } from 'vitest';
import { parseAclFile } from './acl-file-format.js';

describe('parseAclFile', () => {
  it('reads anonymous topics, user sections and patterns, as mosquitto does', () => {
    const text = [
      '# anonymous clients',
      'topic read public/#',
      '',
      'user alice',
      'topic readwrite sensors/#',
      '  topic deny sensors/private/#  ',
      'topic sensors/with spaces',
      'user bob smith',
      'topic write bob/out',
      'pattern write clients/%c/status',
      'pattern users/%u/#',
    ].join('\r\n');
    expect(parseAclFile(text, 'acl.conf')).toEqual({
      everyone: [
        { access: 'write', filter: 'clients/%c/status', substitute: true, source: 'acl.conf:10' },
        { access: 'readwrite', filter: 'users/%u/#', substitute: true, source: 'acl.conf:11' },
      ],
      anonymous: [{ access: 'read', filter: 'public/#', substitute: false, source: 'acl.conf:2' }],
      users: {
        alice: [
          { access: 'readwrite', filter: 'sensors/#', substitute: false, source: 'acl.conf:5' },
          { access: 'deny', filter: 'sensors/private/#', substitute: false, source: 'acl.conf:6' },
          { access: 'readwrite', filter: 'sensors/with spaces', substitute: false, source: 'acl.conf:7' },
        ],
        'bob smith': [{ access: 'write', filter: 'bob/out', substitute: false, source: 'acl.conf:9' }],
      },
    });
  });

  it('treats a topic named like an access word as a topic', () => {
    expect(parseAclFile('topic read').anonymous).toEqual([
      { access: 'readwrite', filter: 'read', substitute: false, source: 'acl file:1' },
    ]);
  });

  it('merges repeated user sections', () => {
    expect(
      parseAclFile('user a\ntopic x\nuser b\nuser a\ntopic y').users?.a?.map((rule) => rule.filter),
    ).toEqual(['x', 'y']);
  });

  it('names the line of an unknown keyword or a missing argument', () => {
    expect(() => parseAclFile('topic a\ngroup admins', 'acl.conf')).toThrow(
      'acl.conf:2: unknown keyword "group"',
    );
    expect(() => parseAclFile('user', 'acl.conf')).toThrow('acl.conf:1: "user" needs an argument');
    expect(() => parseAclFile('pattern   ', 'acl.conf')).toThrow(/acl\.conf:1/);
  });
});
