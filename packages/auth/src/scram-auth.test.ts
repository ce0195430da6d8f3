import { normalizeDecision } from '@mqttkit/contracts';
import type { AuthenticationDecision, Hook } from '@mqttkit/contracts';
import { createAuthenticateContext, runAuthProviderConformance } from '@mqttkit/contracts/testing';
import type { TestCredentials } from '@mqttkit/contracts/testing';
import { describe, expect, it } from 'vitest';
import { createScramTestClient } from '../test/scram-client.js';
import { scramAuthenticationMethod, scramAuth } from './scram-auth.js';
import type { ScramAuthOptions } from './scram-auth.js';
import { deriveScramCredentials, formatScramCredentials } from './scram-credentials.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const pencil = await deriveScramCredentials('pencil', {
  salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
});
const users = {
  user: pencil,
  bob: formatScramCredentials(await deriveScramCredentials('builder', { iterations: 4096 })),
};

function createHook(overrides: Partial<ScramAuthOptions> = {}): Hook {
  return scramAuth({ credentials: users, ...overrides });
}

interface ExchangeOptions {
  readonly hook: Hook;
  readonly username: string;
  readonly password: string;
  /** The connection's user name: from CONNECT, or the authenticated identity on re-authentication. */
  readonly connectionUsername?: string;
  readonly exchange?: 'connect' | 'reauthenticate';
}

/** Runs the rounds the way the broker does: CONNECT (or AUTH 0x19), AUTH 0x18 from the client, done. */
async function runExchange(options: ExchangeOptions) {
  const client = createScramTestClient({ username: options.username, password: options.password });
  const credentials: TestCredentials =
    options.connectionUsername === undefined ? {} : { username: options.connectionUsername };
  const state: Record<string, unknown> = {};
  const round = (index: number, data: Uint8Array): Promise<AuthenticationDecision> =>
    Promise.resolve(
      options.hook.authenticate!(
        createAuthenticateContext(credentials, {
          authenticationMethod: scramAuthenticationMethod,
          authenticationData: data,
          round: index,
          state,
          exchange: options.exchange ?? 'connect',
        }),
      ),
    );
  const first = await round(0, client.clientFirst);
  if (typeof first !== 'object' || !('continue' in first)) return { first, final: undefined, client };
  const final = await round(1, client.respond(first.authenticationData));
  return { first, final, client, state };
}

runAuthProviderConformance({ name: 'scramAuth', create: () => createHook(), fuzzRuns: 50 });

describe('scramAuth', () => {
  it('runs the RFC 7677 example exchange through the hook rounds', async () => {
    const hook = createHook({ createNonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0' });
    const state: Record<string, unknown> = {};
    const context = (round: number, text: string) =>
      createAuthenticateContext(
        {},
        { authenticationMethod: 'SCRAM-SHA-256', authenticationData: encoder.encode(text), round, state },
      );
    const first = await hook.authenticate!(context(0, 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
    expect(first).toMatchObject({ continue: true });
    expect(decoder.decode((first as { authenticationData: Uint8Array }).authenticationData)).toBe(
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    );
    const final = await hook.authenticate!(
      context(
        1,
        'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
      ),
    );
    expect(final).toMatchObject({ allow: true, username: 'user' });
    expect(decoder.decode((final as { authenticationData: Uint8Array }).authenticationData)).toBe(
      'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
    );
  });

  it('authenticates a client and hands it a server signature it can verify', async () => {
    const { final, client } = await runExchange({
      hook: createHook(),
      username: 'bob',
      password: 'builder',
      connectionUsername: 'bob',
    });
    expect(final).toMatchObject({ allow: true, username: 'bob' });
    expect(client.verifyServerFinal((final as { authenticationData: Uint8Array }).authenticationData)).toBe(
      true,
    );
  });

  it('[MQTT-4.12.0-4] refuses a wrong password with 0x86, and an unknown user with the same answer', async () => {
    const hook = createHook();
    const wrong = await runExchange({ hook, username: 'user', password: 'pen' });
    const unknown = await runExchange({ hook, username: 'mallory', password: 'pencil' });
    expect(wrong.first).toMatchObject({ continue: true });
    expect(unknown.first).toMatchObject({ continue: true });
    expect(normalizeDecision(wrong.final!, hook.name)).toMatchObject({ outcome: 'deny', reasonCode: 0x86 });
    expect(wrong.final).toEqual(unknown.final);
  });

  it('refuses a proven user that differs from the CONNECT user name', async () => {
    const { final } = await runExchange({
      hook: createHook(),
      username: 'user',
      password: 'pencil',
      connectionUsername: 'bob',
    });
    expect(final).toMatchObject({ deny: 0x86 });
  });

  it('[MQTT-4.12.1-2] re-authenticates the same user and refuses another with 0x87', async () => {
    const hook = createHook();
    const same = await runExchange({
      hook,
      username: 'user',
      password: 'pencil',
      connectionUsername: 'user',
      exchange: 'reauthenticate',
    });
    expect(same.final).toMatchObject({ allow: true, username: 'user' });
    const other = await runExchange({
      hook,
      username: 'bob',
      password: 'builder',
      connectionUsername: 'user',
      exchange: 'reauthenticate',
    });
    expect(other.final).toMatchObject({ deny: 0x87 });
    const wrong = await runExchange({
      hook,
      username: 'user',
      password: 'x',
      connectionUsername: 'user',
      exchange: 'reauthenticate',
    });
    expect(wrong.final).toMatchObject({ deny: 0x87 });
  });

  it('defers plain CONNECTs and other authentication methods', async () => {
    const hook = createHook();
    expect(
      await hook.authenticate!(createAuthenticateContext({ username: 'user', password: 'pencil' })),
    ).toBe('defer');
    const other = createAuthenticateContext(
      {},
      { authenticationMethod: 'SCRAM-SHA-1', authenticationData: encoder.encode('n,,n=user,r=abc') },
    );
    expect(await hook.authenticate!(other)).toBe('defer');
  });

  it('refuses missing data, rounds out of order and a malformed client-first', async () => {
    const hook = createHook();
    const round = (index: number, data?: string, state: Record<string, unknown> = {}) =>
      hook.authenticate!(
        createAuthenticateContext(
          {},
          {
            authenticationMethod: scramAuthenticationMethod,
            ...(data === undefined ? {} : { authenticationData: encoder.encode(data) }),
            round: index,
            state,
          },
        ),
      );
    expect(await round(0)).toMatchObject({ deny: 0x86 });
    expect(await round(1, 'c=biws,r=abc,p=AAAA')).toMatchObject({ deny: 0x86 });
    expect(await round(0, 'p=tls-server-end-point,,n=user,r=abc')).toMatchObject({
      deny: 0x86,
      reason: expect.stringContaining('channel-binding-not-supported'),
    });
    const state: Record<string, unknown> = {};
    expect(await round(0, 'n,,n=user,r=abc', state)).toMatchObject({ continue: true });
    expect(await round(2, 'c=biws,r=abc,p=AAAA', state)).toMatchObject({ deny: 0x86 });
  });

  it('looks users up through a function and refuses when the lookup fails', async () => {
    const lookup = (username: string) => (username === 'user' ? pencil : undefined);
    const { final } = await runExchange({
      hook: scramAuth({ credentials: lookup }),
      username: 'user',
      password: 'pencil',
    });
    expect(final).toMatchObject({ allow: true });
    const errors: unknown[] = [];
    const failing = scramAuth({
      credentials: () => Promise.reject(new Error('database down')),
    });
    await failing.init!({
      logger: { debug() {}, info() {}, warn() {}, error: (...args: unknown[]) => errors.push(args) },
    });
    const failed = await runExchange({ hook: failing, username: 'user', password: 'pencil' });
    expect(failed.first).toMatchObject({ deny: 0x86 });
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors)).not.toContain('pencil');
  });

  it('finds no user named after an Object.prototype member', async () => {
    const hook = createHook();
    const { final } = await runExchange({ hook, username: 'constructor', password: 'x' });
    expect(final).toMatchObject({ deny: 0x86 });
  });

  it('runs the README example', async () => {
    const line = formatScramCredentials(await deriveScramCredentials('pencil')); // store this, not the password
    const hook = scramAuth({ credentials: { user: line } });
    const { final } = await runExchange({ hook, username: 'user', password: 'pencil' });
    expect(final).toMatchObject({ allow: true, username: 'user' });
  });

  it('rejects a malformed verifier line at creation', () => {
    expect(() => scramAuth({ credentials: { user: 'md5:abc' } })).toThrow(SyntaxError);
  });
});
