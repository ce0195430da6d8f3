import type { ClientCertificate } from '@mqttkit/contracts';
import { createAuthenticateContext, runAuthProviderConformance } from '@mqttkit/contracts/testing';
import { describe, expect, it } from 'vitest';
import { clientCertificateAuth } from './client-certificate-auth.js';

const certificate: ClientCertificate = {
  subjectCommonName: 'sensor-17',
  subject: 'CN=sensor-17,O=Example',
  fingerprint256: 'AB:CD',
  raw: new Uint8Array([0x30, 0x82]),
  authorized: true,
};

runAuthProviderConformance({
  name: 'clientCertificateAuth',
  create: () => clientCertificateAuth(),
  validUser: { certificate },
  checksPasswordExactly: false,
  fuzzRuns: 20,
});

describe('clientCertificateAuth', () => {
  const authenticate = (
    options: Parameters<typeof clientCertificateAuth>[0],
    credentials: Parameters<typeof createAuthenticateContext>[0],
  ) => clientCertificateAuth(options).authenticate!(createAuthenticateContext(credentials));

  it('takes the user name from the subject CN, ignoring the CONNECT user name', async () => {
    expect(await authenticate({}, { certificate, username: 'admin', password: 'x' })).toMatchObject({
      allow: true,
      username: 'sensor-17',
    });
    expect(await authenticate({ identity: 'subject' }, { certificate })).toMatchObject({
      username: 'CN=sensor-17,O=Example',
    });
  });

  it('defers without a verified certificate, or denies when one is required', async () => {
    expect(await authenticate({}, { username: 'a' })).toMatchObject({ defer: true });
    expect(await authenticate({}, { certificate: { ...certificate, authorized: false } })).toMatchObject({
      defer: true,
    });
    expect(await authenticate({ requireCertificate: true }, { username: 'a' })).toMatchObject({ deny: 0x87 });
  });

  it('denies a verified certificate without a CN when the CN is the identity', async () => {
    const { subjectCommonName: _unused, ...withoutCommonName } = certificate;
    expect(await authenticate({}, { certificate: withoutCommonName })).toMatchObject({ deny: 0x87 });
  });

  it('leaves the decision to password hooks when not using the identity as user name', async () => {
    expect(
      await authenticate({ useIdentityAsUsername: false }, { certificate, username: 'a' }),
    ).toMatchObject({ defer: true });
  });
});
