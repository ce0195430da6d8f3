import { normalizeDecision } from '@mqttkit/contracts';
import type { AuthenticationAllowDecision, Hook } from '@mqttkit/contracts';
import {
  createAuthenticateContext,
  createPublishContext,
  createSubscribeContext,
  runAuthProviderConformance,
} from '@mqttkit/contracts/testing';
import type { TestCredentials } from '@mqttkit/contracts/testing';
import { SignJWT, UnsecuredJWT, exportSPKI, generateKeyPair } from 'jose';
import type { JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { jwtAuth } from './jwt-auth.js';
import type { JwtAuthOptions } from './jwt-auth.js';

const start = Date.UTC(2026, 0, 1);
const startSeconds = start / 1000;
const secret = '0123456789abcdef0123456789abcdef';
const secretBytes = new TextEncoder().encode(secret);
const rsa = await generateKeyPair('RS256');
const rsaPem = await exportSPKI(rsa.publicKey);

function sign(claims: JWTPayload, alg: 'HS256' | 'RS256' = 'HS256'): Promise<string> {
  return new SignJWT({ exp: startSeconds + 3600, ...claims })
    .setProtectedHeader({ alg })
    .sign(alg === 'HS256' ? secretBytes : rsa.privateKey);
}

function createHook(overrides: Partial<JwtAuthOptions> = {}): Hook {
  return jwtAuth({
    keys: [
      { type: 'secret', secret },
      { type: 'public-key', key: rsaPem, algorithm: 'RS256' },
    ],
    clock: () => start,
    ...overrides,
  });
}

async function authenticate(hook: Hook, credentials: TestCredentials) {
  const decision = await hook.authenticate!(createAuthenticateContext(credentials));
  return { decision, normalized: normalizeDecision(decision, hook.name) };
}

const aliceToken = await sign({
  sub: 'alice',
  publish: ['sensors/alice/#'],
  subscribe: ['commands/alice/+', 'public/#'],
});

runAuthProviderConformance({
  name: 'jwtAuth',
  create: () => createHook(),
  validUser: { username: 'alice', password: aliceToken },
  invalidUser: {
    username: 'alice',
    password: await new SignJWT({ sub: 'alice', exp: startSeconds + 60 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('x'.repeat(32))),
  },
  allowedPublishes: [
    {
      client: { attributes: { jwt: { publish: ['sensors/alice/#'] } } },
      request: { topic: 'sensors/alice/temp' },
    },
  ],
  deniedPublishes: [
    {
      client: { attributes: { jwt: { publish: ['sensors/alice/#'] } } },
      request: { topic: 'sensors/bob/temp' },
    },
  ],
  allowedSubscribes: [
    { client: { attributes: { jwt: { subscribe: ['public/#'] } } }, request: 'public/+/x' },
  ],
  deniedSubscribes: [{ client: { attributes: { jwt: { subscribe: ['public/+'] } } }, request: 'public/#' }],
});

describe('jwtAuth', () => {
  it('allows a valid token and attaches its ACL claims to the client', async () => {
    const { decision, normalized } = await authenticate(createHook(), {
      username: 'alice',
      password: aliceToken,
    });
    expect(normalized.outcome).toBe('allow');
    expect((decision as AuthenticationAllowDecision).attributes).toEqual({
      jwt: {
        publish: ['sensors/alice/#'],
        subscribe: ['commands/alice/+', 'public/#'],
        expiresAt: startSeconds + 3600,
      },
    });
  });

  it('denies expired, not yet valid, wrongly signed, unsecured and tampered tokens with 0x86', async () => {
    const hook = createHook();
    const valid = await sign({ sub: 'alice' });
    const [header, , signature] = valid.split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ sub: 'root', exp: startSeconds + 3600 })).toString('base64url')}.${signature}`;
    const tokens = {
      expired: await sign({ exp: startSeconds - 1 }),
      'not-yet-valid': await sign({ nbf: startSeconds + 60 }),
      'invalid-signature': await new SignJWT({ exp: startSeconds + 60 })
        .setProtectedHeader({ alg: 'RS256' })
        .sign((await generateKeyPair('RS256')).privateKey),
      unsecured: new UnsecuredJWT({ exp: startSeconds + 60 }).encode(),
      tampered,
    };
    for (const [failure, token] of Object.entries(tokens)) {
      const { normalized } = await authenticate(hook, { password: token });
      expect(normalized, failure).toMatchObject({ outcome: 'deny', reasonCode: 0x86, decidedBy: 'jwt' });
      expect(normalized.reason, failure).toContain(failure === 'tampered' ? 'invalid-signature' : failure);
    }
  });

  it('defers when the password is not a JWT, or when enhanced authentication is used', async () => {
    const hook = createHook();
    expect((await authenticate(hook, { username: 'alice', password: 'secret' })).normalized.outcome).toBe(
      'defer',
    );
    expect((await authenticate(hook, { username: 'alice' })).normalized.outcome).toBe('defer');
    expect(
      (await authenticate(hook, { password: new Uint8Array([0xff, 0x2e, 0x2e]) })).normalized.outcome,
    ).toBe('defer');
    const enhanced = createAuthenticateContext(
      { password: aliceToken },
      { authenticationMethod: 'SCRAM-SHA-256' },
    );
    expect(await hook.authenticate!(enhanced)).toBe('defer');
  });

  it('checks the user name against the configured claim and takes the identity from it', async () => {
    const hook = createHook({ usernameClaim: 'sub', rolesClaim: 'roles' });
    const token = await sign({ sub: 'alice', roles: ['sensor'] });
    expect((await authenticate(hook, { username: 'alice', password: token })).decision).toMatchObject({
      allow: true,
      username: 'alice',
      roles: ['sensor'],
    });
    expect((await authenticate(hook, { password: token })).decision).toMatchObject({ username: 'alice' });
    const mallory = await authenticate(hook, { username: 'mallory', password: token });
    expect(mallory.normalized).toMatchObject({ outcome: 'deny', reasonCode: 0x86 });
    const noClaim = await authenticate(hook, { password: await sign({}) });
    expect(noClaim.normalized).toMatchObject({ outcome: 'deny', reasonCode: 0x86 });
  });

  it('refuses a token from another issuer or for another audience', async () => {
    const hook = createHook({ issuer: 'https://id.example', audience: 'mqtt' });
    const good = await sign({ iss: 'https://id.example', aud: 'mqtt' });
    const other = await sign({ iss: 'https://id.example', aud: 'web' });
    expect((await authenticate(hook, { password: good })).normalized.outcome).toBe('allow');
    expect((await authenticate(hook, { password: other })).normalized.outcome).toBe('deny');
  });

  describe('claims ACL', () => {
    const jwtClient = (claims: Record<string, unknown>): TestCredentials => ({
      username: 'alice',
      attributes: { jwt: claims },
    });

    it('enforces publish and subscribe filters from the token', async () => {
      const hook = createHook();
      const { decision } = await authenticate(hook, { username: 'alice', password: aliceToken });
      const client = {
        username: 'alice',
        attributes: (decision as AuthenticationAllowDecision).attributes ?? {},
      };
      const publish = async (topic: string) =>
        normalizeDecision(await hook.authorizePublish!(createPublishContext(client, { topic })), hook.name)
          .outcome;
      const subscribe = async (filter: string) =>
        normalizeDecision(await hook.authorizeSubscribe!(createSubscribeContext(client, filter)), hook.name)
          .outcome;
      expect(await publish('sensors/alice/temp')).toBe('allow');
      expect(await publish('sensors/alice')).toBe('allow');
      expect(await publish('sensors/bob/temp')).toBe('deny');
      expect(await publish('commands/alice/reboot')).toBe('deny');
      expect(await subscribe('commands/alice/reboot')).toBe('allow');
      expect(await subscribe('commands/alice/#')).toBe('deny');
      expect(await subscribe('public/#')).toBe('allow');
      expect(await subscribe('$share/group/public/news')).toBe('allow');
      expect(await subscribe('#')).toBe('deny');
    });

    it('explains which claim filter allowed or why it denied', async () => {
      const hook = createHook();
      const allowed = await hook.authorizePublish!(
        createPublishContext(jwtClient({ publish: ['a/+'] }), { topic: 'a/b' }),
      );
      expect(allowed).toEqual({ allow: true, reason: `token's publish claim allows "a/+"` });
      const denied = await hook.authorizePublish!(
        createPublishContext(jwtClient({ publish: ['a/+'] }), { topic: 'b' }),
      );
      expect(denied).toMatchObject({ deny: 0x87, reason: expect.stringContaining('"b"') });
    });

    it('uses renamed claims', async () => {
      const hook = createHook({ aclClaims: { publish: 'mqtt_pub', subscribe: 'mqtt_sub' } });
      const token = await sign({ mqtt_pub: ['x/#'], publish: ['y/#'] });
      const { decision } = await authenticate(hook, { password: token });
      expect((decision as AuthenticationAllowDecision).attributes).toEqual({
        jwt: { publish: ['x/#'], expiresAt: startSeconds + 3600 },
      });
    });

    it('defers for clients it did not authenticate and for lists the token does not carry', async () => {
      const hook = createHook();
      expect(
        await hook.authorizePublish!(createPublishContext({ username: 'bob' }, { topic: 'a' })),
      ).toMatchObject({ defer: true });
      expect(
        await hook.authorizeSubscribe!(createSubscribeContext(jwtClient({ publish: ['a'] }), 'a')),
      ).toMatchObject({ defer: true });
      expect(
        await hook.authorizePublish!(createPublishContext(jwtClient({ publish: 'a/#' }), { topic: 'a' })),
      ).toMatchObject({ defer: true });
    });

    it('denies once the token has expired during the session', async () => {
      let now = start;
      const hook = createHook({ clock: () => now, clockTolerance: 5 });
      const client = jwtClient({ publish: ['a/#'], expiresAt: startSeconds + 60 });
      expect(await hook.authorizePublish!(createPublishContext(client, { topic: 'a/b' }))).toMatchObject({
        allow: true,
      });
      now = start + 64_000;
      expect(await hook.authorizePublish!(createPublishContext(client, { topic: 'a/b' }))).toMatchObject({
        allow: true,
      });
      now = start + 66_000;
      expect(await hook.authorizePublish!(createPublishContext(client, { topic: 'a/b' }))).toMatchObject({
        deny: 0x87,
      });
      expect(await hook.authorizeSubscribe!(createSubscribeContext(client, 'a/b'))).toMatchObject({
        deny: 0x87,
      });
    });
  });

  it('refuses a configuration without keys or with a weak secret', async () => {
    expect(() => jwtAuth({ keys: [] })).toThrow(TypeError);
    const weak = jwtAuth({ keys: [{ type: 'secret', secret: 'short' }] });
    await expect(weak.init!({ logger: { debug() {}, info() {}, warn() {}, error() {} } })).rejects.toThrow(
      RangeError,
    );
  });

  it('answers 0x88 and logs when its keys cannot be loaded outside init', async () => {
    const errors: unknown[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (...args: unknown[]) => errors.push(args) };
    const hook = jwtAuth({ keys: [{ type: 'jwks-file', path: '/nonexistent/jwks.json' }] });
    await expect(hook.init!({ logger })).rejects.toThrow();
    const { normalized } = await authenticate(hook, { password: aliceToken });
    expect(normalized).toMatchObject({ outcome: 'deny', reasonCode: 0x88 });
    expect(JSON.stringify(errors)).not.toContain(aliceToken);
    expect(errors).toHaveLength(1);
  });
});
