import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthenticateContext, createPublishContext } from '@mqttkit/contracts/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { aclFile, chain, hashMosquittoPassword, passwordFile, throttleFailures } from '../src/index.js';

// The README example, with the /etc/mosquitto files replaced by temporary ones.
describe('README example', () => {
  let directory: string | undefined;
  afterAll(async () => {
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  });

  it('authenticates from the password file and authorizes from the ACL file', async () => {
    directory = await mkdtemp(join(tmpdir(), 'mqttkit-readme-'));
    await writeFile(join(directory, 'passwd'), `alice:${await hashMosquittoPassword('wonderland')}\n`);
    await writeFile(join(directory, 'acl'), 'user alice\ntopic readwrite sensors/#\n');
    const quiet = { info() {}, warn() {} };

    const hooks = [
      throttleFailures(passwordFile({ path: join(directory, 'passwd'), watch: false, logger: quiet })),
      aclFile({ path: join(directory, 'acl'), watch: false, logger: quiet }),
    ];
    const auth = chain(hooks);

    const alice = { username: 'alice', password: 'wonderland' };
    expect(await auth.authenticate!(createAuthenticateContext(alice))).toMatchObject({
      allow: true,
      decidedBy: 'password-file',
    });
    expect(await auth.authorizePublish!(createPublishContext(alice, { topic: 'sensors/1' }))).toMatchObject({
      allow: true,
      decidedBy: 'acl-file',
    });
    expect(await auth.authorizePublish!(createPublishContext(alice, { topic: 'other' }))).toMatchObject({
      deny: 0x87,
    });
    await auth.close?.();
  });
});
