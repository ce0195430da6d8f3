import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthenticateContext } from '@mqttkit/contracts/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hashMosquittoPassword,
  parseMosquittoHash,
  passwordFile,
  readPasswordFile,
  writePasswordFile,
} from '../src/index.js';
import { publishWithMosquitto, requireTool, run, startMosquitto } from './mosquitto-tools.js';
import type { RunningBroker } from './mosquitto-tools.js';

let directory: string;
let mosquittoPasswd: string;
const quiet = { info() {}, warn() {} };

beforeAll(async () => {
  mosquittoPasswd = await requireTool('mosquitto_passwd');
  directory = await mkdtemp(join(tmpdir(), 'mqttkit-mosquitto-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('files written by mosquitto_passwd', () => {
  it('are verified by passwordFile, both $7$ (default) and $6$ (-H sha512)', async () => {
    const path = join(directory, 'theirs');
    await run(mosquittoPasswd, ['-b', '-c', path, 'alice', 'wonderland']);
    await run(mosquittoPasswd, ['-H', 'sha512', '-b', path, 'bob', 'builder']);
    await run(mosquittoPasswd, ['-H', 'sha512-pbkdf2', '-b', path, 'carol', 'pässwörd with spaces']);
    const users = await readPasswordFile(path);
    expect(parseMosquittoHash(users.get('alice')!)?.algorithm).toBe('sha512-pbkdf2');
    expect(parseMosquittoHash(users.get('bob')!)?.algorithm).toBe('sha512');

    const hook = passwordFile({ path, watch: false, logger: quiet });
    const answer = (username: string, password: string) =>
      hook.authenticate!(createAuthenticateContext({ username, password }));
    expect(await answer('alice', 'wonderland')).toMatchObject({ allow: true });
    expect(await answer('bob', 'builder')).toMatchObject({ allow: true });
    expect(await answer('carol', 'pässwörd with spaces')).toMatchObject({ allow: true });
    expect(await answer('alice', 'builder')).toMatchObject({ deny: 0x86 });
    expect(await answer('bob', 'wonderland')).toMatchObject({ deny: 0x86 });
  });
});

describe('files written by writePasswordFile', () => {
  it('are kept intact when mosquitto_passwd adds and deletes users in them', async () => {
    const path = join(directory, 'ours-edited');
    const ours = await hashMosquittoPassword('wonderland');
    await writePasswordFile(path, [['alice', ours]]);
    await run(mosquittoPasswd, ['-b', path, 'bob', 'builder']);
    await run(mosquittoPasswd, ['-D', path, 'bob']);
    expect(await readFile(path, 'utf8')).toBe(`alice:${ours}\n`);
  });

  describe('and a real mosquitto broker', () => {
    let broker: RunningBroker | undefined;

    beforeAll(async () => {
      const path = join(directory, 'ours');
      await writePasswordFile(path, [
        ['alice', await hashMosquittoPassword('wonderland')],
        ['bob', await hashMosquittoPassword('builder', { algorithm: 'sha512' })],
        ['carol', await hashMosquittoPassword('cheshire', { iterations: 2000 })],
      ]);
      broker = await startMosquitto(directory, ['allow_anonymous false', `password_file ${path}`]);
    });
    afterAll(() => {
      broker?.stop();
    });

    const publishAs = (username: string, password: string) =>
      publishWithMosquitto({ port: broker!.port, topic: 'interop', username, password });

    it('accepts our $7$ and $6$ hashes (default and custom iterations) and refuses wrong passwords', async () => {
      expect(await publishAs('alice', 'wonderland')).toBe('ok');
      expect(await publishAs('bob', 'builder')).toBe('ok');
      expect(await publishAs('carol', 'cheshire')).toBe('ok');
      expect(await publishAs('alice', 'builder')).toMatch(/not authori[sz]ed/i);
      expect(await publishAs('mallory', 'wonderland')).toMatch(/not authori[sz]ed/i);
    });
  });
});
