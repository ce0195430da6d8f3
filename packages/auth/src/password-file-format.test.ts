import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthFileError,
  formatPasswordFile,
  parsePasswordFile,
  readPasswordFile,
  writePasswordFile,
} from './password-file-format.js';

describe('parsePasswordFile', () => {
  it('reads username:hash lines, skipping blanks and comments, accepting CRLF', () => {
    const users = parsePasswordFile('# users\r\nalice:$7$101$a$b\r\n\r\nbob:$6$c$d\nweird name:$6$e$f:g\n');
    expect([...users]).toEqual([
      ['alice', '$7$101$a$b'],
      ['bob', '$6$c$d'],
      ['weird name', '$6$e$f:g'],
    ]);
  });

  it('names the line of an entry without a user name or colon, or a repeated user', () => {
    expect(() => parsePasswordFile('alice:x\nbroken\n', 'pw')).toThrow(
      new AuthFileError('pw:2', 'expected "username:hash"'),
    );
    expect(() => parsePasswordFile(':x', 'pw')).toThrow(/pw:1/);
    expect(() => parsePasswordFile('a:x\na:y', 'pw')).toThrow(/pw:2: user "a" appears twice/);
  });
});

describe('formatPasswordFile', () => {
  it('writes one line per user and round-trips through the parser', () => {
    const text = formatPasswordFile([
      ['alice', '$7$101$a$b'],
      ['bob', '$6$c$d'],
    ]);
    expect(text).toBe('alice:$7$101$a$b\nbob:$6$c$d\n');
    expect([...parsePasswordFile(text)]).toEqual([
      ['alice', '$7$101$a$b'],
      ['bob', '$6$c$d'],
    ]);
  });

  it('refuses user names that would corrupt the file', () => {
    for (const username of ['', 'a:b', 'a\nb', 'a\rb']) {
      expect(() => formatPasswordFile([[username, '$6$a$b']])).toThrow(TypeError);
    }
  });
});

describe('writePasswordFile', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mqttkit-auth-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('writes atomically, readable by the owner only, and reads back', async () => {
    const path = join(directory, 'passwd');
    await writePasswordFile(path, new Map([['alice', '$6$a$b']]));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe('alice:$6$a$b\n');
    expect([...(await readPasswordFile(path))]).toEqual([['alice', '$6$a$b']]);
  });
});
