import {
  SignJWT,
  UnsecuredJWT,
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importPKCS8,
} from 'jose';
import type { JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { resolveJwtKey } from './jwt-key.js';
import type { JwtKey } from './jwt-key.js';
import { createJwtVerifier } from './jwt-verifier.js';
import type { JwtVerifierOptions } from './jwt-verifier.js';

const now = Date.UTC(2026, 0, 1);
const nowSeconds = now / 1000;
const secret = new TextEncoder().encode('0123456789abcdef0123456789abcdef');
const rsa = await generateKeyPair('RS256', { extractable: true });
const ec = await generateKeyPair('ES256', { extractable: true });
const otherRsa = await generateKeyPair('RS256');
const rsaPem = await exportSPKI(rsa.publicKey);
const ecJwk = await exportJWK(ec.publicKey);

async function verifierFor(keys: readonly JwtKey[], overrides: Partial<JwtVerifierOptions> = {}) {
  const options = { clock: () => now, jwksReloadInterval: 0 };
  return createJwtVerifier({
    keys: await Promise.all(keys.map((key) => resolveJwtKey(key, options))),
    clock: () => now,
    clockTolerance: 0,
    requireExpiry: true,
    maxTokenLength: 8192,
    ...overrides,
  });
}

function claims(extra: JWTPayload = {}): SignJWT {
  return new SignJWT({ sub: 'alice', exp: nowSeconds + 60, ...extra });
}

const allKeys: readonly JwtKey[] = [
  { type: 'secret', secret },
  { type: 'public-key', key: rsaPem, algorithm: 'RS256' },
  { type: 'public-key', key: ecJwk, algorithm: 'ES256' },
];

describe('createJwtVerifier', () => {
  it('accepts valid HS256, RS256 and ES256 tokens', async () => {
    const verifier = await verifierFor(allKeys);
    const tokens = [
      await claims().setProtectedHeader({ alg: 'HS256' }).sign(secret),
      await claims().setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey),
      await claims().setProtectedHeader({ alg: 'ES256' }).sign(ec.privateKey),
    ];
    for (const token of tokens) {
      expect(await verifier.verify(token)).toMatchObject({ ok: true, payload: { sub: 'alice' } });
    }
  });

  it('refuses an expired token, and accepts it within the clock tolerance', async () => {
    const token = await claims({ exp: nowSeconds - 10 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(secret);
    expect(await (await verifierFor(allKeys)).verify(token)).toMatchObject({ ok: false, failure: 'expired' });
    expect(await (await verifierFor(allKeys, { clockTolerance: 30 })).verify(token)).toMatchObject({
      ok: true,
    });
  });

  it('refuses a token that is not yet valid', async () => {
    const token = await claims({ nbf: nowSeconds + 120 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(secret);
    expect(await (await verifierFor(allKeys)).verify(token)).toMatchObject({
      ok: false,
      failure: 'not-yet-valid',
    });
  });

  it('follows the injected clock', async () => {
    let time = now;
    const keys = [
      await resolveJwtKey({ type: 'secret', secret }, { clock: () => time, jwksReloadInterval: 0 }),
    ];
    const verifier = createJwtVerifier({
      keys,
      clock: () => time,
      clockTolerance: 0,
      requireExpiry: true,
      maxTokenLength: 8192,
    });
    const token = await claims().setProtectedHeader({ alg: 'HS256' }).sign(secret);
    expect((await verifier.verify(token)).ok).toBe(true);
    time = now + 61_000;
    expect(await verifier.verify(token)).toMatchObject({ ok: false, failure: 'expired' });
  });

  it('refuses a token without exp unless expiry is optional', async () => {
    const token = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256' }).sign(secret);
    expect(await (await verifierFor(allKeys)).verify(token)).toMatchObject({
      ok: false,
      failure: 'claim-invalid',
    });
    expect(await (await verifierFor(allKeys, { requireExpiry: false })).verify(token)).toMatchObject({
      ok: true,
    });
  });

  it('refuses a token signed by another key', async () => {
    const hmac = await claims()
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('x'.repeat(32)));
    const rsaToken = await claims().setProtectedHeader({ alg: 'RS256' }).sign(otherRsa.privateKey);
    const verifier = await verifierFor(allKeys);
    expect(await verifier.verify(hmac)).toMatchObject({ ok: false, failure: 'invalid-signature' });
    expect(await verifier.verify(rsaToken)).toMatchObject({ ok: false, failure: 'invalid-signature' });
  });

  it('refuses an algorithm no key is configured for', async () => {
    // The configured RSA key itself, used with a hash the configuration did not allow.
    const rs384Key = await importPKCS8(await exportPKCS8(rsa.privateKey), 'RS384');
    const rs384 = await claims().setProtectedHeader({ alg: 'RS384' }).sign(rs384Key);
    const es256 = await claims().setProtectedHeader({ alg: 'ES256' }).sign(ec.privateKey);
    const rsaOnly = await verifierFor([{ type: 'public-key', key: rsaPem, algorithm: 'RS256' }]);
    expect(await rsaOnly.verify(rs384)).toMatchObject({ ok: false, failure: 'algorithm-not-allowed' });
    expect(await rsaOnly.verify(es256)).toMatchObject({ ok: false, failure: 'algorithm-not-allowed' });
  });

  it('never uses a public key as an HMAC secret (RS256/HS256 confusion)', async () => {
    const forged = await claims().setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(rsaPem));
    const rsaOnly = await verifierFor([{ type: 'public-key', key: rsaPem, algorithm: 'RS256' }]);
    expect(await rsaOnly.verify(forged)).toMatchObject({ ok: false, failure: 'algorithm-not-allowed' });
    expect(await (await verifierFor(allKeys)).verify(forged)).toMatchObject({
      ok: false,
      failure: 'invalid-signature',
    });
  });

  it('refuses unsecured tokens (alg "none") in any spelling', async () => {
    const verifier = await verifierFor(allKeys);
    const unsecured = new UnsecuredJWT({ sub: 'alice', exp: nowSeconds + 60 }).encode();
    expect(await verifier.verify(unsecured)).toMatchObject({ ok: false, failure: 'unsecured' });
    const [, payload] = unsecured.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'NoNe' })).toString('base64url');
    expect(await verifier.verify(`${header}.${payload}.`)).toMatchObject({ ok: false, failure: 'unsecured' });
    const noAlgorithm = Buffer.from(JSON.stringify({ typ: 'JWT' })).toString('base64url');
    expect(await verifier.verify(`${noAlgorithm}.${payload}.`)).toMatchObject({
      ok: false,
      failure: 'unsecured',
    });
  });

  it('refuses a tampered payload or header', async () => {
    const verifier = await verifierFor(allKeys);
    for (const [alg, key] of [
      ['HS256', secret],
      ['RS256', rsa.privateKey],
      ['ES256', ec.privateKey],
    ] as const) {
      const token = await claims().setProtectedHeader({ alg }).sign(key);
      const [header, , signature] = token.split('.');
      const payload = Buffer.from(JSON.stringify({ sub: 'admin', exp: nowSeconds + 60 })).toString(
        'base64url',
      );
      expect(await verifier.verify(`${header}.${payload}.${signature}`)).toMatchObject({
        ok: false,
        failure: 'invalid-signature',
      });
    }
    const token = await claims().setProtectedHeader({ alg: 'HS256' }).sign(secret);
    const [, payload, signature] = token.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'x' })).toString('base64url');
    expect(await verifier.verify(`${header}.${payload}.${signature}`)).toMatchObject({
      ok: false,
      failure: 'invalid-signature',
    });
  });

  it('checks issuer and audience when configured', async () => {
    const verifier = await verifierFor(allKeys, {
      issuer: 'https://issuer.example',
      audience: ['mqtt', 'broker'],
    });
    const good = await claims({ iss: 'https://issuer.example', aud: 'mqtt' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(secret);
    const wrongIssuer = await claims({ iss: 'https://evil.example', aud: 'mqtt' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(secret);
    const wrongAudience = await claims({ iss: 'https://issuer.example', aud: 'web' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(secret);
    expect((await verifier.verify(good)).ok).toBe(true);
    expect(await verifier.verify(wrongIssuer)).toMatchObject({ ok: false, failure: 'claim-invalid' });
    expect(await verifier.verify(wrongAudience)).toMatchObject({ ok: false, failure: 'claim-invalid' });
  });

  it('tries only keys whose kid matches a token that names one', async () => {
    const otherSecret = new TextEncoder().encode('another secret of thirty-two b!!');
    const verifier = await verifierFor([
      { type: 'secret', secret, kid: 'one' },
      { type: 'secret', secret: otherSecret, kid: 'two' },
    ]);
    const two = await claims().setProtectedHeader({ alg: 'HS256', kid: 'two' }).sign(otherSecret);
    const mislabelled = await claims().setProtectedHeader({ alg: 'HS256', kid: 'two' }).sign(secret);
    const unlabelled = await claims().setProtectedHeader({ alg: 'HS256' }).sign(otherSecret);
    expect((await verifier.verify(two)).ok).toBe(true);
    expect(await verifier.verify(mislabelled)).toMatchObject({ ok: false, failure: 'invalid-signature' });
    expect((await verifier.verify(unlabelled)).ok).toBe(true);
    const unknownKid = await claims().setProtectedHeader({ alg: 'HS256', kid: 'three' }).sign(secret);
    expect(await verifier.verify(unknownKid)).toMatchObject({ ok: false, failure: 'no-matching-key' });
  });

  it('refuses malformed and oversized tokens', async () => {
    const verifier = await verifierFor(allKeys, { maxTokenLength: 1000 });
    expect(await verifier.verify('a.b.c')).toMatchObject({ ok: false, failure: 'malformed' });
    expect(await verifier.verify('not a token')).toMatchObject({ ok: false, failure: 'malformed' });
    const header = Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url');
    expect(await verifier.verify(`${header}.bm90IGpzb24.c2ln`)).toMatchObject({ ok: false });
    expect(await verifier.verify(`${header}.${'a'.repeat(1000)}.c2ln`)).toMatchObject({
      ok: false,
      failure: 'too-long',
    });
  });
});

// A throwaway self-signed P-256 certificate and its key, made for this test only with
// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 36500`.
const testCertificate = `-----BEGIN CERTIFICATE-----
MIIBkzCCATmgAwIBAgIUVdwmtcLTV+yE0uPx2sLBDXYBCH4wCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTbXF0dGtpdCB0ZXN0IGlzc3VlcjAgFw0yNjExMjIwNDE2MDFa
GA8yMTI2MTAyOTA0MTYwMVowHjEcMBoGA1UEAwwTbXF0dGtpdCB0ZXN0IGlzc3Vl
cjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABFUqd4NaDFVFoi9wsZkq8diSa4JP
SF6r6bf5eR7uUmtkvFfGMF2abXCiVAivnhQE6LAb7DjOeUvPtWly5ahf28ijUzBR
MB0GA1UdDgQWBBSTpFKzqOxEdHON+Sd8EY9rpaKWXTAfBgNVHSMEGDAWgBSTpFKz
qOxEdHON+Sd8EY9rpaKWXTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gA
MEUCIE/VsR7lSKlp3aameXPUCsJ8Y7V6gaV5+CCcCOwTdwI0AiEAuOfrNydsvJWA
8XE8MvezsoJKj8gGphkPkWgCdUMkrp0=
-----END CERTIFICATE-----`;
const testCertificateKey = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg/xlTYmGkxNOZBExz
X7Ggtkwhok8uOJ8FigYLRMbd/kyhRANCAARVKneDWgxVRaIvcLGZKvHYkmuCT0he
q+m3+Xke7lJrZLxXxjBdmm1wolQIr54UBOiwG+w4znlLz7VpcuWoX9vI
-----END PRIVATE KEY-----`;

describe('resolveJwtKey', () => {
  const options = { clock: () => now, jwksReloadInterval: 0 };

  it('refuses HMAC secrets shorter than the hash (RFC 7518 section 3.2)', async () => {
    await expect(resolveJwtKey({ type: 'secret', secret: 'short' }, options)).rejects.toThrow(RangeError);
    await expect(resolveJwtKey({ type: 'secret', secret, algorithms: ['HS512'] }, options)).rejects.toThrow(
      RangeError,
    );
  });

  it('refuses private or secret JWKs as public keys', async () => {
    const privateJwk = await exportJWK(rsa.privateKey);
    await expect(
      resolveJwtKey({ type: 'public-key', key: privateJwk, algorithm: 'RS256' }, options),
    ).rejects.toThrow(TypeError);
    await expect(
      resolveJwtKey({ type: 'public-key', key: { kty: 'oct', k: 'c2VjcmV0' }, algorithm: 'RS256' }, options),
    ).rejects.toThrow(TypeError);
  });

  it('reads the public key of a PEM certificate', async () => {
    const verifier = await verifierFor([{ type: 'public-key', key: testCertificate, algorithm: 'ES256' }]);
    const signer = await importPKCS8(testCertificateKey, 'ES256');
    const token = await claims().setProtectedHeader({ alg: 'ES256' }).sign(signer);
    expect(await verifier.verify(token)).toMatchObject({ ok: true });
    const other = await claims().setProtectedHeader({ alg: 'ES256' }).sign(ec.privateKey);
    expect(await verifier.verify(other)).toMatchObject({ ok: false, failure: 'invalid-signature' });
  });

  it('takes the kid of a JWK', async () => {
    const resolved = await resolveJwtKey(
      { type: 'public-key', key: { ...ecJwk, kid: 'ec-1' }, algorithm: 'ES256' },
      options,
    );
    expect(resolved).toMatchObject({ kind: 'static', kid: 'ec-1', algorithms: ['ES256'] });
  });
});
