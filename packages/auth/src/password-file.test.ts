import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthenticateContext, runAuthProviderConformance } from '@mqttkit/contracts/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hashMosquittoPassword } from './mosquitto-hash.js';
import { passwordFile } from './password-file.js';
import type { PasswordFileHook } from './password-file.js';
import { writePasswordFile } from './password-file-format.js';

const quiet = { info() {}, warn() {} };
let conformanceDirectory: string | undefined;

runAuthProviderConformance({
  name: 'passwordFile',
  create: async () => {
    conformanceDirectory ??= await mkdtemp(join(tmpdir(), 'mqttkit-auth-'));
    const path = join(conformanceDirectory, 'passwd');
    await writePasswordFile(path, [
      ['alice', await hashMosquittoPassword('wonderland')],
      ['bob', await hashMosquittoPassword('builder', { algorithm: 'sha512' })],
    ]);
    return passwordFile({ path, logger: quiet, watch: false });
  },
  cleanup: () => rm(conformanceDirectory!, { recursive: true, force: true }),
  validUser: { username: 'alice', password: 'wonderland' },
  invalidUser: { username: 'bob', password: 'wonderland' },
  unknownUser: { username: 'mallory', password: 'wonderland' },
  fuzzRuns: 30,
});

describe('passwordFile', () => {
  let directory: string;
  let path: string;
  let hook: PasswordFileHook | undefined;
  const authenticate = (username: string, password: string) =>
    hook!.authenticate!(createAuthenticateContext({ username, password }));

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mqttkit-auth-'));
    path = join(directory, 'passwd');
    await writePasswordFile(path, [['alice', await hashMosquittoPassword('one')]]);
  });
  afterEach(async () => {
    hook?.close();
    hook = undefined;
    await rm(directory, { recursive: true, force: true });
  });

  it('picks up a changed file on reload()', async () => {
    hook = passwordFile({ path, logger: quiet, watch: false });
    expect(await authenticate('alice', 'one')).toMatchObject({ allow: true });
    await writePasswordFile(path, [['alice', await hashMosquittoPassword('two')]]);
    await hook.reload();
    expect(await authenticate('alice', 'one')).toMatchObject({ deny: 0x86 });
    expect(await authenticate('alice', 'two')).toMatchObject({ allow: true });
  });

  it('keeps the previous users when the new file is broken, and says why', async () => {
    hook = passwordFile({ path, logger: quiet, watch: false });
    expect(await authenticate('alice', 'one')).toMatchObject({ allow: true });
    await writeFile(path, 'alice:plaintext\n');
    await expect(hook.reload()).rejects.toThrow(/"alice" is not a supported hash/);
    expect(await authenticate('alice', 'one')).toMatchObject({ allow: true });
  });

  it('fails init and answers 0x88 when the file cannot be read at all', async () => {
    hook = passwordFile({ path: join(directory, 'missing'), logger: quiet, watch: false });
    await expect(hook.init!({ logger: { ...quiet, debug() {}, error() {} } })).rejects.toThrow(/ENOENT/);
    expect(await authenticate('alice', 'one')).toMatchObject({ deny: 0x88 });
  });

  it('reloads by itself when the file is replaced, once per burst of changes', async () => {
    const info = vi.fn();
    const [two, three] = [await hashMosquittoPassword('two'), await hashMosquittoPassword('three')];
    hook = passwordFile({ path, logger: { info, warn() {} }, debounceMs: 50 });
    await vi.waitFor(() => expect(info).toHaveBeenCalledTimes(1));
    await writePasswordFile(path, [['alice', two]]);
    await writePasswordFile(path, [['alice', three]]);
    await vi.waitFor(
      async () => expect(await authenticate('alice', 'three')).toMatchObject({ allow: true }),
      {
        timeout: 5000,
      },
    );
    expect(info).toHaveBeenCalledTimes(2);
  });

  it('close() stops watching and can be called twice', async () => {
    hook = passwordFile({ path, logger: quiet });
    hook.close();
    hook.close();
  });
});
