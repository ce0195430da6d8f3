import { createAuthenticateContext } from '@mqttkit/contracts/testing';
import { runAuthProviderConformance } from '@mqttkit/contracts/testing';
import { describe, expect, it } from 'vitest';
import { hashPassword } from './hash-password.js';
import { hashMosquittoPassword } from './mosquitto-hash.js';
import { staticUsers } from './static-users.js';

const cheap = { logCost: 10 };

runAuthProviderConformance({
  name: 'staticUsers',
  create: async () => staticUsers({ users: { alice: await hashPassword('wonderland', cheap) } }),
  validUser: { username: 'alice', password: 'wonderland' },
  invalidUser: { username: 'alice', password: 'looking-glass' },
  unknownUser: { username: 'mallory', password: 'wonderland' },
  fuzzRuns: 30,
});

runAuthProviderConformance({
  name: 'staticUsers deferring unknown users',
  create: async () =>
    staticUsers({ users: { alice: await hashMosquittoPassword('wonderland') }, unknownUser: 'defer' }),
  validUser: { username: 'alice', password: 'wonderland' },
  invalidUser: { username: 'alice', password: 'looking-glass' },
  unknownUser: { username: 'mallory', password: 'wonderland' },
  unknownUserAnswer: 'defer',
  fuzzRuns: 30,
});

runAuthProviderConformance({
  name: 'staticUsers with plain-text passwords allowed',
  create: () => staticUsers({ users: { alice: 'wonderland' }, allowPlaintext: true }),
  validUser: { username: 'alice', password: 'wonderland' },
  invalidUser: { username: 'alice', password: 'wonderland ' },
  unknownUser: { username: 'mallory', password: 'wonderland' },
  fuzzRuns: 30,
});

/** Median time of each task over interleaved runs, so that load on the machine hits both alike. */
async function interleavedMedians(
  samples: number,
  tasks: readonly (() => Promise<unknown>)[],
): Promise<number[]> {
  const times = tasks.map(() => [] as number[]);
  for (let index = 0; index < samples; index++) {
    for (const [taskIndex, task] of tasks.entries()) {
      const start = process.hrtime.bigint();
      await task();
      times[taskIndex]!.push(Number(process.hrtime.bigint() - start));
    }
  }
  return times.map((list) => list.sort((a, b) => a - b)[Math.floor(samples / 2)]!);
}

describe('staticUsers', () => {
  it('refuses plain-text passwords unless allowPlaintext is set', () => {
    expect(() => staticUsers({ users: { alice: 'wonderland' } })).toThrow(/"alice".*allowPlaintext/);
    expect(() => staticUsers({ users: { alice: '$scrypt$broken' } })).toThrow(TypeError);
  });

  it('accepts mosquitto $6$ and $7$ hashes next to scrypt ones', async () => {
    const hook = staticUsers({
      users: {
        a: await hashMosquittoPassword('one', { algorithm: 'sha512' }),
        b: await hashMosquittoPassword('two'),
        c: await hashPassword('three', cheap),
      },
    });
    for (const [username, password] of [
      ['a', 'one'],
      ['b', 'two'],
      ['c', 'three'],
    ] as const) {
      expect(await hook.authenticate!(createAuthenticateContext({ username, password }))).toMatchObject({
        allow: true,
      });
    }
  });

  it('sets the configured roles on success and explains the decision', async () => {
    const hook = staticUsers({
      users: { alice: await hashPassword('w', cheap) },
      roles: { alice: ['admin'] },
    });
    expect(await hook.authenticate!(createAuthenticateContext({ username: 'alice', password: 'w' }))).toEqual(
      {
        allow: true,
        roles: ['admin'],
        reason: 'password of user "alice" verified (scrypt)',
      },
    );
  });

  it('[MQTT-4.12.0-1] defers an Authentication Method it does not implement (the broker may answer 0x8C), and clients without a user name', async () => {
    const hook = staticUsers({ users: { alice: await hashPassword('w', cheap) } });
    const enhanced = createAuthenticateContext(
      { username: 'alice', password: 'w' },
      { authenticationMethod: 'SCRAM-SHA-256' },
    );
    expect(await hook.authenticate!(enhanced)).toMatchObject({ defer: true });
    expect(await hook.authenticate!(createAuthenticateContext({ password: 'w' }))).toMatchObject({
      defer: true,
    });
  });

  it('does not treat inherited object keys as users', async () => {
    const hook = staticUsers({ users: { alice: await hashPassword('w', cheap) }, roles: {} });
    for (const username of ['__proto__', 'constructor', 'toString']) {
      expect(await hook.authenticate!(createAuthenticateContext({ username, password: 'w' }))).toMatchObject({
        deny: 0x86,
      });
    }
  });

  it('spends about as long on an unknown user as on a wrong password', async () => {
    const hook = staticUsers({ users: { alice: await hashPassword('w', { logCost: 12 }) } });
    const wrong = createAuthenticateContext({ username: 'alice', password: 'x' });
    const unknown = createAuthenticateContext({ username: 'mallory', password: 'x' });
    await hook.authenticate!(wrong);
    const [wrongTime, unknownTime] = await interleavedMedians(9, [
      () => Promise.resolve(hook.authenticate!(wrong)),
      () => Promise.resolve(hook.authenticate!(unknown)),
    ]);
    // Without the dummy hash the unknown user would answer in microseconds, over 100 times faster.
    const ratio = unknownTime! / wrongTime!;
    expect(ratio).toBeGreaterThan(0.33);
    expect(ratio).toBeLessThan(3);
  });
});
