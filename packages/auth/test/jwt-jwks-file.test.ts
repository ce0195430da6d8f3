import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeDecision } from '@mqttkit/contracts';
import type { Hook } from '@mqttkit/contracts';
import {
  createAuthenticateContext,
  createPublishContext,
  createSubscribeContext,
} from '@mqttkit/contracts/testing';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtAuth } from '../src/jwt-auth.js';

const start = Date.UTC(2026, 0, 1);
const logger = { debug() {}, info() {}, warn() {}, error() {} };
const rsa = await generateKeyPair('RS256', { extractable: true });
const ec = await generateKeyPair('ES256', { extractable: true });
const rotated = await generateKeyPair('ES256', { extractable: true });
const publicJwk = async (key: CryptoKey, kid: string, alg: string): Promise<JWK> => ({
  ...(await exportJWK(key)),
  kid,
  alg,
  use: 'sig',
});

let directory: string;
let path: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'mqttkit-jwks-'));
  path = join(directory, 'jwks.json');
  const keys = [
    await publicJwk(rsa.publicKey, 'rsa-1', 'RS256'),
    await publicJwk(ec.publicKey, 'ec-1', 'ES256'),
  ];
  await writeFile(path, JSON.stringify({ keys }));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

function token(options: { key: CryptoKey | Uint8Array; alg: string; kid?: string }): Promise<string> {
  return new SignJWT({ sub: 'device-1', exp: start / 1000 + 600 })
    .setProtectedHeader({ alg: options.alg, ...(options.kid === undefined ? {} : { kid: options.kid }) })
    .sign(options.key);
}

async function outcome(hook: Hook, password: string) {
  return normalizeDecision(await hook.authenticate!(createAuthenticateContext({ password })), hook.name);
}

describe('jwtAuth with a JWKS file', () => {
  it('verifies RS256 and ES256 tokens by kid, and without kid by algorithm', async () => {
    const hook = jwtAuth({ keys: [{ type: 'jwks-file', path }], clock: () => start });
    await hook.init!({ logger });
    expect(
      (await outcome(hook, await token({ key: rsa.privateKey, alg: 'RS256', kid: 'rsa-1' }))).outcome,
    ).toBe('allow');
    expect(
      (await outcome(hook, await token({ key: ec.privateKey, alg: 'ES256', kid: 'ec-1' }))).outcome,
    ).toBe('allow');
    expect((await outcome(hook, await token({ key: ec.privateKey, alg: 'ES256' }))).outcome).toBe('allow');
  });

  it('refuses a token whose kid names another key of the set', async () => {
    const hook = jwtAuth({ keys: [{ type: 'jwks-file', path }], clock: () => start });
    const decision = await outcome(hook, await token({ key: ec.privateKey, alg: 'ES256', kid: 'rsa-1' }));
    expect(decision).toMatchObject({ outcome: 'deny', reasonCode: 0x86 });
  });

  it('refuses algorithms outside the allow list of the entry', async () => {
    const hook = jwtAuth({ keys: [{ type: 'jwks-file', path, algorithms: ['ES256'] }], clock: () => start });
    const decision = await outcome(hook, await token({ key: rsa.privateKey, alg: 'RS256', kid: 'rsa-1' }));
    expect(decision).toMatchObject({
      outcome: 'deny',
      reason: expect.stringContaining('algorithm-not-allowed'),
    });
  });

  it('never takes an HMAC secret from the file', async () => {
    const secretPath = join(directory, 'secret-jwks.json');
    await writeFile(
      secretPath,
      JSON.stringify({
        keys: [{ kty: 'oct', k: Buffer.from('s'.repeat(32)).toString('base64url'), kid: 'hs' }],
      }),
    );
    const hook = jwtAuth({ keys: [{ type: 'jwks-file', path: secretPath }], clock: () => start });
    const forged = await token({ key: new TextEncoder().encode('s'.repeat(32)), alg: 'HS256', kid: 'hs' });
    expect((await outcome(hook, forged)).outcome).toBe('deny');
  });

  it('re-reads the file for an unknown kid, at most once per reload interval', async () => {
    let now = start;
    const rotatingPath = join(directory, 'rotating.json');
    await writeFile(rotatingPath, JSON.stringify({ keys: [await publicJwk(ec.publicKey, 'ec-1', 'ES256')] }));
    const hook = jwtAuth({
      keys: [{ type: 'jwks-file', path: rotatingPath }],
      clock: () => now,
      jwksReloadInterval: 60_000,
    });
    await hook.init!({ logger });
    const newToken = await token({ key: rotated.privateKey, alg: 'ES256', kid: 'ec-2' });
    expect((await outcome(hook, newToken)).outcome).toBe('deny');
    await writeFile(
      rotatingPath,
      JSON.stringify({
        keys: [
          await publicJwk(ec.publicKey, 'ec-1', 'ES256'),
          await publicJwk(rotated.publicKey, 'ec-2', 'ES256'),
        ],
      }),
    );
    now += 30_000;
    expect((await outcome(hook, newToken)).outcome).toBe('deny');
    now += 31_000;
    expect((await outcome(hook, newToken)).outcome).toBe('allow');
  });

  it('retries an unknown kid only once even without a reload interval', async () => {
    const hook = jwtAuth({ keys: [{ type: 'jwks-file', path }], clock: () => start, jwksReloadInterval: 0 });
    const unknown = await token({ key: ec.privateKey, alg: 'ES256', kid: 'nowhere' });
    expect(await outcome(hook, unknown)).toMatchObject({
      outcome: 'deny',
      reason: expect.stringContaining('no-matching-key'),
    });
  });

  it('runs the README example', async () => {
    const readmePath = join(directory, 'readme-jwks.json');
    await writeFile(readmePath, JSON.stringify({ keys: [await publicJwk(ec.publicKey, 'ec-1', 'ES256')] }));
    const hook = jwtAuth({
      keys: [
        { type: 'jwks-file', path: readmePath },
        { type: 'secret', secret: 'a secret of at least thirty-two bytes' },
      ],
      issuer: 'https://id.example.com',
      usernameClaim: 'sub',
    });
    await hook.init!({ logger });
    const claims = { sub: 'sensor-7', publish: ['sensors/7/#'], subscribe: ['commands/7/+'] };
    const token = await new SignJWT({
      ...claims,
      iss: 'https://id.example.com',
      exp: Math.floor(Date.now() / 1000) + 60,
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'ec-1' })
      .sign(ec.privateKey);
    const decision = await hook.authenticate!(createAuthenticateContext({ password: token }));
    expect(decision).toMatchObject({ allow: true, username: 'sensor-7' });
    const attributes = (decision as { attributes: Record<string, unknown> }).attributes;
    const client = { username: 'sensor-7', attributes };
    expect(
      await hook.authorizePublish!(createPublishContext(client, { topic: 'sensors/7/temp' })),
    ).toMatchObject({ allow: true });
    expect(await hook.authorizeSubscribe!(createSubscribeContext(client, 'commands/7/#'))).toMatchObject({
      deny: 0x87,
    });
  });

  it('fails init when the file is missing or not a key set', async () => {
    const brokenPath = join(directory, 'broken.json');
    await writeFile(brokenPath, '{"keys": 5}');
    await expect(
      jwtAuth({ keys: [{ type: 'jwks-file', path: join(directory, 'missing.json') }] }).init!({ logger }),
    ).rejects.toThrow();
    await expect(
      jwtAuth({ keys: [{ type: 'jwks-file', path: brokenPath }] }).init!({ logger }),
    ).rejects.toThrow();
  });
});
