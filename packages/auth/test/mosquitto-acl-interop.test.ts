import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublishContext } from '@mqttkit/contracts/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aclFile, hashMosquittoPassword, writePasswordFile } from '../src/index.js';
import type { AclFileHook } from '../src/index.js';
import { publishWithMosquitto, startMosquitto } from './mosquitto-tools.js';
import type { RunningBroker } from './mosquitto-tools.js';

// One acl_file, read by a real mosquitto and by aclFile: both must allow and deny the same publishes.
const acl = [
  '# anonymous clients',
  'topic read public/#',
  'topic write anon/in',
  'user alice',
  'topic readwrite sensors/#',
  'topic deny sensors/private/#',
  'topic write alerts/+/high',
  'user bob',
  'topic write sensors/+/temperature',
  'pattern write users/%u/#',
  'pattern write clients/%c/status',
].join('\n');
const users = [undefined, 'alice', 'bob'] as const;
const topics = [
  'public/news',
  'anon/in',
  'sensors/kitchen',
  'sensors/private/diary',
  'sensors/kitchen/temperature',
  'alerts/fire/high',
  'alerts/fire/low',
  'users/alice/inbox',
  'users/bob/inbox',
  'clients/interop/status',
];

describe('an acl_file read by mosquitto and by aclFile', () => {
  let directory: string;
  let broker: RunningBroker | undefined;
  let hook: AclFileHook | undefined;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mqttkit-acl-interop-'));
    const passwords = join(directory, 'passwd');
    await writePasswordFile(passwords, [
      ['alice', await hashMosquittoPassword('a')],
      ['bob', await hashMosquittoPassword('b')],
    ]);
    await writeFile(join(directory, 'acl'), acl);
    broker = await startMosquitto(directory, [
      'allow_anonymous true',
      `password_file ${passwords}`,
      `acl_file ${join(directory, 'acl')}`,
    ]);
    hook = aclFile({ path: join(directory, 'acl'), watch: false, logger: { info() {}, warn() {} } });
  });
  afterAll(async () => {
    broker?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('allows and denies the same publishes (users × topics)', async () => {
    const ours: string[] = [];
    const theirs: string[] = [];
    for (const username of users) {
      for (const topic of topics) {
        const label = `${username ?? 'anonymous'} → ${topic}`;
        const client = { clientId: 'interop', ...(username === undefined ? {} : { username }) };
        const decision = await hook!.authorizePublish!(createPublishContext(client, { topic, qos: 1 }));
        ours.push(`${label}: ${typeof decision === 'object' && 'allow' in decision ? 'allowed' : 'denied'}`);
        const answer = await publishWithMosquitto({
          port: broker!.port,
          topic,
          clientId: 'interop',
          ...(username === undefined ? {} : { username, password: username[0]! }),
        });
        theirs.push(`${label}: ${answer === 'ok' ? 'allowed' : 'denied'}`);
      }
    }
    expect(ours).toEqual(theirs);
  });
});
