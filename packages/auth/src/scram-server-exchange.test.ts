import { describe, expect, it } from 'vitest';
import { createScramTestClient } from '../test/scram-client.js';
import { deriveScramCredentials } from './scram-credentials.js';
import type { ScramCredentials } from './scram-credentials.js';
import { createScramServerExchange } from './scram-server-exchange.js';
import type { ScramStep } from './scram-server-exchange.js';

// RFC 7677 section 3: the example exchange for user "user" with password "pencil".
const rfc = {
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal:
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
} as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);
const text = (step: ScramStep): string => decoder.decode(step.data);

const rfcCredentials: ScramCredentials = await deriveScramCredentials('pencil', {
  salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
  iterations: 4096,
});
const users = new Map([['user', rfcCredentials]]);

function rfcExchange() {
  return createScramServerExchange({
    lookup: (username) => users.get(username),
    createNonce: () => rfc.serverNonce,
  });
}

describe('createScramServerExchange', () => {
  it('reproduces the RFC 7677 example exchange byte for byte', async () => {
    const exchange = rfcExchange();
    const first = await exchange.receiveClientFirst(bytes(rfc.clientFirst));
    expect(first.type).toBe('continue');
    expect(text(first)).toBe(rfc.serverFirst);
    const final = exchange.receiveClientFinal(bytes(rfc.clientFinal));
    expect(final).toMatchObject({ type: 'success', username: 'user' });
    expect(text(final)).toBe(rfc.serverFinal);
  });

  it('authenticates an independent client and lets it verify the server signature', async () => {
    const exchange = createScramServerExchange({ lookup: (username) => users.get(username) });
    const client = createScramTestClient({ username: 'user', password: 'pencil' });
    const first = await exchange.receiveClientFirst(client.clientFirst);
    const final = exchange.receiveClientFinal(client.respond(first.data));
    expect(final.type).toBe('success');
    expect(client.verifyServerFinal(final.data)).toBe(true);
  });

  it('uses a fresh random server nonce for every exchange', async () => {
    const nonces = new Set<string>();
    for (let round = 0; round < 5; round += 1) {
      const step = await createScramServerExchange({ lookup: () => rfcCredentials }).receiveClientFirst(
        bytes(rfc.clientFirst),
      );
      nonces.add(text(step).split(',')[0] ?? '');
    }
    expect(nonces.size).toBe(5);
  });

  it('refuses a wrong password with invalid-proof', async () => {
    const exchange = rfcExchange();
    const client = createScramTestClient({ username: 'user', password: 'pencil!' });
    const first = await exchange.receiveClientFirst(client.clientFirst);
    const final = exchange.receiveClientFinal(client.respond(first.data));
    expect(final).toMatchObject({ type: 'failure', error: 'invalid-proof' });
    expect(text(final)).toBe('e=invalid-proof');
  });

  it('answers an unknown user exactly like a wrong password, with a stable fake salt', async () => {
    const secret = new Uint8Array(32).fill(7);
    const run = async () => {
      const exchange = createScramServerExchange({
        lookup: (username) => users.get(username),
        unknownUserSecret: secret,
      });
      const client = createScramTestClient({ username: 'mallory', password: 'pencil' });
      const first = await exchange.receiveClientFirst(client.clientFirst);
      return { first: text(first), final: exchange.receiveClientFinal(client.respond(first.data)) };
    };
    const one = await run();
    const two = await run();
    expect(one.first).toMatch(/^r=[^,]+,s=[A-Za-z0-9+/=]{24},i=4096$/);
    expect(one.first.split(',')[1]).toBe(two.first.split(',')[1]);
    expect(one.final).toMatchObject({ type: 'failure', error: 'invalid-proof' });
    expect(text(one.final)).toBe('e=invalid-proof');
  });

  it('refuses a client-final that does not echo the combined nonce', async () => {
    const exchange = rfcExchange();
    const client = createScramTestClient({
      username: 'user',
      password: 'pencil',
      tamperNonce: (nonce) => `${nonce}x`,
    });
    const first = await exchange.receiveClientFirst(client.clientFirst);
    expect(exchange.receiveClientFinal(client.respond(first.data))).toMatchObject({ error: 'invalid-proof' });
  });

  it('refuses a tampered proof', async () => {
    const exchange = rfcExchange();
    await exchange.receiveClientFirst(bytes(rfc.clientFirst));
    const tampered = rfc.clientFinal.replace('p=dHzb', 'p=dHzc');
    expect(exchange.receiveClientFinal(bytes(tampered))).toMatchObject({
      type: 'failure',
      error: 'invalid-proof',
    });
  });

  it('refuses a channel binding that differs from the gs2 header', async () => {
    const exchange = rfcExchange();
    await exchange.receiveClientFirst(bytes(rfc.clientFirst));
    const final = exchange.receiveClientFinal(bytes(rfc.clientFinal.replace('c=biws', 'c=eSws')));
    expect(final).toMatchObject({ type: 'failure', error: 'channel-bindings-dont-match' });
  });

  it('accepts the "y" flag of a client that supports channel binding we do not offer', async () => {
    const exchange = createScramServerExchange({ lookup: (username) => users.get(username) });
    const client = createScramTestClient({ username: 'user', password: 'pencil', gs2Header: 'y,,' });
    const first = await exchange.receiveClientFirst(client.clientFirst);
    expect(exchange.receiveClientFinal(client.respond(first.data)).type).toBe('success');
  });

  it('refuses client-first messages it cannot accept', async () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['p=tls-unique,,n=user,r=abc', 'channel-binding-not-supported'],
      ['x,,n=user,r=abc', 'invalid-encoding'],
      ['n,,m=ext,n=user,r=abc', 'extensions-not-supported'],
      ['n,,n=us=er,r=abc', 'invalid-username-encoding'],
      ['n,,n=user', 'invalid-encoding'],
      ['n,,n=user,r=', 'invalid-encoding'],
      ['n,a=admin,n=user,r=abc', 'other-error'],
      ['n', 'invalid-encoding'],
    ];
    for (const [message, error] of cases) {
      const step = await rfcExchange().receiveClientFirst(bytes(message));
      expect(step, message).toMatchObject({ type: 'failure', error });
    }
  });

  it('refuses bytes that are not UTF-8', async () => {
    const step = await rfcExchange().receiveClientFirst(new Uint8Array([0x6e, 0x2c, 0x2c, 0xff]));
    expect(step).toMatchObject({ type: 'failure', error: 'invalid-encoding' });
  });

  it('decodes escaped user names and accepts an authzid naming the same user', async () => {
    const named = new Map([['a,b=c', rfcCredentials]]);
    const exchange = createScramServerExchange({ lookup: (username) => named.get(username) });
    const client = createScramTestClient({
      username: 'a,b=c',
      password: 'pencil',
      gs2Header: 'n,a=a=2Cb=3Dc,',
    });
    const first = await exchange.receiveClientFirst(client.clientFirst);
    expect(exchange.receiveClientFinal(client.respond(first.data))).toMatchObject({
      type: 'success',
      username: 'a,b=c',
    });
  });

  it('refuses malformed client-final messages', async () => {
    const cases = ['c=biws,r=abc', 'c=b!ws,r=abc,p=AAAA', 'c=biws,r=abc,p=AAAA', 'c=biws,r=abc,p=not base64'];
    for (const message of cases) {
      const exchange = rfcExchange();
      await exchange.receiveClientFirst(bytes(rfc.clientFirst));
      expect(exchange.receiveClientFinal(bytes(message)), message).toMatchObject({ type: 'failure' });
    }
  });

  it('refuses messages out of order and any message after the end', async () => {
    const early = rfcExchange();
    expect(early.receiveClientFinal(bytes(rfc.clientFinal))).toMatchObject({
      type: 'failure',
      error: 'other-error',
    });
    const replay = rfcExchange();
    await replay.receiveClientFirst(bytes(rfc.clientFirst));
    expect(replay.receiveClientFinal(bytes(rfc.clientFinal)).type).toBe('success');
    expect(replay.receiveClientFinal(bytes(rfc.clientFinal)).type).toBe('failure');
    expect((await replay.receiveClientFirst(bytes(rfc.clientFirst))).type).toBe('failure');
  });
});
