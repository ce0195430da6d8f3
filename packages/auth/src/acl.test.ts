import { runAuthProviderConformance } from '@mqttkit/contracts/testing';
import { describe, expect, it } from 'vitest';
import { acl } from './acl.js';
import type { AclOptions } from './acl.js';
import { AclPolicy } from './acl-policy.js';
import type { AclRequest } from './acl-policy.js';

const rules: AclOptions = {
  everyone: [
    { access: 'read', filter: 'public/#' },
    { access: 'deny', filter: 'public/secret' },
    { access: 'readwrite', filter: 'users/%u/#' },
    { access: 'write', filter: 'clients/%c/status' },
  ],
  anonymous: [{ access: 'read', filter: 'anon/#' }],
  users: {
    alice: [
      { access: 'readwrite', filter: 'sensors/#' },
      { access: 'deny', filter: 'sensors/private/#' },
    ],
    bob: [{ access: 'read', filter: 'sensors/+/temperature' }],
  },
  roles: {
    admin: [
      { access: 'readwrite', filter: '#' },
      { access: 'read', filter: '$SYS/#' },
    ],
  },
  userRoles: { carol: ['admin'] },
};

interface Row {
  readonly username?: string;
  readonly clientId?: string;
  readonly roles?: readonly string[];
  readonly action: AclRequest['action'];
  readonly topic: string;
  readonly allowed: boolean;
}

// users × rules × topics: each row is one question and the answer the ACL must give.
const matrix: Row[] = [
  { username: 'alice', action: 'publish', topic: 'sensors/kitchen/temperature', allowed: true },
  { username: 'alice', action: 'publish', topic: 'sensors/private/diary', allowed: false },
  { username: 'alice', action: 'publish', topic: 'sensors', allowed: true },
  { username: 'alice', action: 'subscribe', topic: 'sensors/kitchen/+', allowed: true },
  { username: 'alice', action: 'subscribe', topic: 'sensors/#', allowed: false },
  { username: 'alice', action: 'subscribe', topic: 'sensors/+/temperature', allowed: false },
  { username: 'alice', action: 'subscribe', topic: 'sensors/private', allowed: false },
  { username: 'bob', action: 'subscribe', topic: 'sensors/+/temperature', allowed: true },
  { username: 'bob', action: 'subscribe', topic: 'sensors/kitchen/temperature', allowed: true },
  { username: 'bob', action: 'subscribe', topic: 'sensors/#', allowed: false },
  { username: 'bob', action: 'publish', topic: 'sensors/kitchen/temperature', allowed: false },
  { username: 'bob', action: 'subscribe', topic: 'users/bob/#', allowed: true },
  { username: 'bob', action: 'publish', topic: 'users/bob/inbox', allowed: true },
  { username: 'bob', action: 'subscribe', topic: 'users/alice/#', allowed: false },
  { username: 'bob', action: 'subscribe', topic: 'users/+/inbox', allowed: false },
  { username: 'bob', action: 'subscribe', topic: 'public/+/news', allowed: true },
  { username: 'bob', action: 'subscribe', topic: 'public/#', allowed: false },
  { username: 'bob', action: 'subscribe', topic: 'public/secret', allowed: false },
  { username: 'bob', action: 'publish', topic: 'public/news', allowed: false },
  { username: 'bob', action: 'subscribe', topic: 'anon/x', allowed: false },
  { action: 'subscribe', topic: 'anon/x', allowed: true },
  { action: 'publish', topic: 'users/undefined/x', allowed: false },
  { action: 'subscribe', topic: 'public/news', allowed: true },
  { clientId: 'c1', action: 'publish', topic: 'clients/c1/status', allowed: true },
  { clientId: 'c1', action: 'publish', topic: 'clients/c2/status', allowed: false },
  { clientId: 'c+', action: 'subscribe', topic: 'clients/+/status', allowed: false },
  { username: '#', action: 'subscribe', topic: 'users/#', allowed: false },
  { username: 'x/y', action: 'publish', topic: 'users/x/y/z', allowed: false },
  { username: '', action: 'publish', topic: 'users//z', allowed: false },
  { username: 'carol', action: 'publish', topic: 'anything/at/all', allowed: true },
  { username: 'carol', action: 'subscribe', topic: 'sensors/#', allowed: true },
  // `#` would also deliver public/secret, which everyone is denied: deny rules win.
  { username: 'carol', action: 'subscribe', topic: '#', allowed: false },
  { username: 'carol', action: 'subscribe', topic: '$SYS/broker/#', allowed: true },
  { username: 'carol', action: 'publish', topic: '$SYS/broker/x', allowed: false },
  { username: 'dave', roles: ['admin'], action: 'subscribe', topic: 'sensors/#', allowed: true },
  { username: 'dave', roles: ['guest'], action: 'subscribe', topic: 'sensors/#', allowed: false },
  { username: 'alice', action: 'publish', topic: 'sensors/+', allowed: false },
  { username: 'alice', action: 'subscribe', topic: 'sensors/#/x', allowed: false },
];

describe('AclPolicy', () => {
  const policy = new AclPolicy(rules);
  it.each(matrix)('$action by $username/$clientId/$roles on $topic: allowed $allowed', (row) => {
    const decision = policy.check({
      client: {
        clientId: row.clientId ?? 'client',
        roles: row.roles ?? [],
        ...(row.username === undefined ? {} : { username: row.username }),
      },
      action: row.action,
      topic: row.topic,
    });
    expect(decision).toMatchObject(row.allowed ? { allow: true } : { deny: 0x87 });
  });

  it('names the deciding rule, with its substitution', () => {
    const client = { clientId: 'c', username: 'bob', roles: [] };
    expect(policy.check({ client, action: 'publish', topic: 'users/bob/x' })).toEqual({
      allow: true,
      reason: 'allowed by everyone[2]: readwrite users/%u/# = users/bob/#',
    });
    expect(
      policy.check({
        client: { ...client, username: 'alice' },
        action: 'publish',
        topic: 'sensors/private/x',
      }),
    ).toEqual({
      deny: 0x87,
      reason: 'denied by users.alice[1]: deny sensors/private/#',
    });
    expect(policy.check({ client, action: 'publish', topic: 'nowhere' })).toEqual({
      deny: 0x87,
      reason: 'no rule grants write on nowhere',
    });
  });

  it('defers instead of denying when no rule matches and noMatch is defer', () => {
    const deferring = new AclPolicy(rules, 'defer');
    const client = { clientId: 'c', username: 'bob', roles: [] };
    expect(deferring.check({ client, action: 'publish', topic: 'nowhere' })).toMatchObject({ defer: true });
    expect(deferring.check({ client, action: 'publish', topic: 'public/secret' })).toMatchObject({
      deny: 0x87,
    });
  });

  it('refuses invalid rules, naming them', () => {
    expect(() => new AclPolicy({ users: { alice: [{ access: 'read', filter: 'a/#/b' }] } })).toThrow(
      /users\.alice\[0\]/,
    );
    expect(() => new AclPolicy({ everyone: [{ access: 'read', filter: '$share/g/a' }] })).toThrow(
      /everyone\[0\]/,
    );
    expect(() => new AclPolicy({ everyone: [{ access: 'all' as 'read', filter: 'a' }] })).toThrow(
      /unknown access/,
    );
  });

  it('does not treat inherited object keys as users or roles', () => {
    const client = { clientId: 'c', username: 'constructor', roles: ['__proto__', 'toString'] };
    expect(policy.check({ client, action: 'publish', topic: 'a' })).toMatchObject({ deny: 0x87 });
  });
});

runAuthProviderConformance({
  name: 'acl',
  create: () => acl(rules),
  allowedPublishes: [
    { client: { username: 'alice' }, request: { topic: 'sensors/a' } },
    { client: { username: 'bob' }, request: { topic: 'users/bob/a', qos: 2, retain: true } },
    { client: { username: 'bob' }, request: { topic: 'users/bob/will', will: true } },
  ],
  deniedPublishes: [
    { client: { username: 'alice' }, request: { topic: 'sensors/private/a' } },
    { client: { username: 'bob' }, request: { topic: 'users/alice/a' } },
  ],
  allowedSubscribes: [
    { client: { username: 'bob' }, request: 'sensors/+/temperature' },
    { client: { username: 'bob' }, request: '$share/group/sensors/+/temperature' },
  ],
  deniedSubscribes: [
    { client: { username: 'bob' }, request: 'sensors/#' },
    { client: { username: 'bob' }, request: '$share/group/sensors/#' },
  ],
  fuzzRuns: 50,
});
