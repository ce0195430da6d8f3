import type { Hook } from '@mqttkit/contracts';
import { createAuthenticateContext, runAuthProviderConformance } from '@mqttkit/contracts/testing';
import { describe, expect, it } from 'vitest';
import { callbackAuth } from './callback-auth.js';
import { throttleFailures } from './throttle-failures.js';

const decoder = new TextDecoder();
const passwords = () =>
  callbackAuth({
    authenticate: ({ client, password }) => client.username === 'alice' && decoder.decode(password) === 'ok',
  });

runAuthProviderConformance({
  name: 'throttleFailures around a callback',
  create: () => throttleFailures(passwords(), { maxFailures: 1000 }),
  validUser: { username: 'alice', password: 'ok' },
  invalidUser: { username: 'alice', password: 'no' },
  unknownUser: { username: 'bob', password: 'ok' },
  fuzzRuns: 20,
});

describe('throttleFailures', () => {
  function setup(options: { maxAddresses?: number } = {}) {
    let time = 0;
    const hook = throttleFailures(passwords(), {
      maxFailures: 3,
      windowMs: 1000,
      blockMs: 5000,
      now: () => time,
      ...options,
    });
    const attempt = (password: string, remoteAddress = '10.0.0.1') =>
      hook.authenticate!(createAuthenticateContext({ username: 'alice', password, remoteAddress }));
    return { hook, attempt, advance: (ms: number) => (time += ms) };
  }

  it('blocks an address after repeated failures, even with the right password, then lets it try again', async () => {
    const { attempt, advance } = setup();
    for (let index = 0; index < 3; index++) expect(await attempt('bad')).toMatchObject({ deny: 0x86 });
    expect(await attempt('ok')).toMatchObject({ deny: 0x9f, decidedBy: 'throttle' });
    expect(await attempt('ok', '10.0.0.2')).toMatchObject({ allow: true });
    advance(5001);
    expect(await attempt('ok')).toMatchObject({ allow: true });
  });

  it('forgets failures outside the window and after a success', async () => {
    const { attempt, advance } = setup();
    await attempt('bad');
    await attempt('bad');
    advance(1001);
    await attempt('bad');
    expect(await attempt('ok')).toMatchObject({ allow: true });
    await attempt('bad');
    await attempt('bad');
    expect(await attempt('ok')).toMatchObject({ allow: true });
  });

  it('tracks at most maxAddresses addresses, forgetting the least recently seen', async () => {
    const { attempt } = setup({ maxAddresses: 2 });
    for (let index = 0; index < 3; index++) await attempt('bad', 'a');
    await attempt('bad', 'b');
    await attempt('bad', 'c');
    // 'a' was blocked but is forgotten once two newer addresses failed.
    expect(await attempt('ok', 'a')).toMatchObject({ allow: true });
  });

  it('returns a hook without authenticate unchanged', () => {
    const hook: Hook = { name: 'x' };
    expect(throttleFailures(hook)).toBe(hook);
  });
});
