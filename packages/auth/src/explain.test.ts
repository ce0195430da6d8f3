import { describe, expect, it } from 'vitest';
import { acl } from './acl.js';
import { allowAll } from './allow-all.js';
import { explain } from './explain.js';
import { hashPassword } from './hash-password.js';
import { staticUsers } from './static-users.js';

describe('explain', () => {
  const rules = acl({ users: { alice: [{ access: 'readwrite', filter: 'sensors/#' }] }, noMatch: 'defer' });

  it('answers "may user U publish to topic T?" with the deciding hook and rule', async () => {
    expect(
      await explain([rules], { action: 'publish', client: { username: 'alice' }, topic: 'sensors/a' }),
    ).toEqual({
      outcome: 'allow',
      reasonCode: 0,
      reason: 'allowed by users.alice[0]: readwrite sensors/#',
      decidedBy: 'acl',
      trail: [
        {
          outcome: 'allow',
          reasonCode: 0,
          reason: 'allowed by users.alice[0]: readwrite sensors/#',
          decidedBy: 'acl',
        },
      ],
    });
  });

  it('denies by default when every hook defers, listing their answers', async () => {
    const answer = await explain([rules], {
      action: 'subscribe',
      client: { username: 'bob' },
      topicFilter: '$share/g/sensors/#',
    });
    expect(answer).toMatchObject({
      outcome: 'deny',
      reasonCode: 0x87,
      decidedBy: 'default',
      reason: 'every hook deferred',
    });
    expect(answer.trail).toEqual([
      { outcome: 'defer', reason: 'no rule grants read on sensors/#', decidedBy: 'acl' },
    ]);
    expect(await explain([], { action: 'publish', client: {}, topic: 'a' })).toMatchObject({
      reason: 'no hook answers this request',
    });
  });

  it('follows the hook order, like the broker', async () => {
    const hooks = [rules, allowAll({ logger: { warn() {} } })];
    expect(
      await explain(hooks, { action: 'publish', client: { username: 'bob' }, topic: 'x', qos: 1 }),
    ).toMatchObject({
      outcome: 'allow',
      decidedBy: 'allow-all',
    });
  });

  it('explains connections', async () => {
    const users = staticUsers({ users: { alice: await hashPassword('w', { logCost: 10 }) } });
    expect(
      await explain([users], { action: 'connect', client: { username: 'alice' }, password: 'x' }),
    ).toMatchObject({
      outcome: 'deny',
      reasonCode: 0x86,
      reason: 'wrong password for user "alice"',
      decidedBy: 'static-users',
    });
    expect(
      await explain([users], { action: 'connect', client: { username: 'alice' }, password: 'w' }),
    ).toMatchObject({ outcome: 'allow' });
  });
});
