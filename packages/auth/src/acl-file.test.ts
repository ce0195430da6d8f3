import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPublishContext,
  createSubscribeContext,
  runAuthProviderConformance,
} from '@mqttkit/contracts/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { aclFile } from './acl-file.js';
import type { AclFileHook } from './acl-file.js';

const quiet = { info() {}, warn() {} };
const text = 'topic read public/#\nuser alice\ntopic readwrite sensors/#\npattern readwrite users/%u/#\n';
let conformanceDirectory: string | undefined;

runAuthProviderConformance({
  name: 'aclFile',
  create: async () => {
    conformanceDirectory ??= await mkdtemp(join(tmpdir(), 'mqttkit-acl-'));
    const path = join(conformanceDirectory, 'acl');
    await writeFile(path, text);
    return aclFile({ path, watch: false, logger: quiet });
  },
  cleanup: () => rm(conformanceDirectory!, { recursive: true, force: true }),
  allowedPublishes: [{ client: { username: 'alice' }, request: { topic: 'sensors/x' } }],
  deniedPublishes: [{ client: { username: 'bob' }, request: { topic: 'sensors/x' } }],
  allowedSubscribes: [
    { client: {}, request: 'public/+' },
    { client: { username: 'bob' }, request: 'users/bob/#' },
  ],
  deniedSubscribes: [{ client: { username: 'bob' }, request: 'public/+' }],
  fuzzRuns: 30,
});

describe('aclFile', () => {
  let directory: string;
  let path: string;
  let hook: AclFileHook | undefined;
  const publish = (username: string, topic: string) =>
    hook!.authorizePublish!(createPublishContext({ username }, { topic }));

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mqttkit-acl-'));
    path = join(directory, 'acl');
    await writeFile(path, text);
  });
  afterEach(async () => {
    hook?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('explains decisions with the file and line of the rule', async () => {
    hook = aclFile({ path, watch: false, logger: quiet });
    expect(await publish('alice', 'sensors/a')).toEqual({
      allow: true,
      reason: `allowed by ${path}:3: readwrite sensors/#`,
    });
  });

  it('applies roles given in the options next to the file', async () => {
    hook = aclFile({
      path,
      watch: false,
      logger: quiet,
      roles: { ops: [{ access: 'read', filter: 'ops/#' }] },
      userRoles: { bob: ['ops'] },
    });
    expect(
      await hook.authorizeSubscribe!(createSubscribeContext({ username: 'bob' }, 'ops/+')),
    ).toMatchObject({ allow: true });
  });

  it('reloads on reload() and keeps the old rules when the new file is broken', async () => {
    hook = aclFile({ path, watch: false, logger: quiet });
    expect(await publish('alice', 'sensors/a')).toMatchObject({ allow: true });
    await writeFile(path, 'user alice\ntopic write other/#\n');
    await hook.reload();
    expect(await publish('alice', 'sensors/a')).toMatchObject({ deny: 0x87 });
    await writeFile(path, 'user alice\nbogus line\n');
    await expect(hook.reload()).rejects.toThrow(/:2: unknown keyword "bogus"/);
    expect(await publish('alice', 'other/a')).toMatchObject({ allow: true });
  });

  it('denies everything while no file has loaded', async () => {
    hook = aclFile({ path: join(directory, 'missing'), watch: false, logger: quiet });
    expect(await publish('alice', 'sensors/a')).toMatchObject({ deny: 0x87 });
  });

  it('reloads by itself when the file changes', async () => {
    const info = vi.fn();
    hook = aclFile({ path, logger: { info, warn() {} }, debounceMs: 50 });
    await vi.waitFor(() => expect(info).toHaveBeenCalledTimes(1));
    await writeFile(path, 'user alice\ntopic write other/#\n');
    await vi.waitFor(async () => expect(await publish('alice', 'other/a')).toMatchObject({ allow: true }), {
      timeout: 5000,
    });
  });
});
