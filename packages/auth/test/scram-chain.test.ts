import { normalizeDecision } from '@mqttkit/contracts';
import type { AuthenticationDecision } from '@mqttkit/contracts';
import { createAuthenticateContext, createPublishContext } from '@mqttkit/contracts/testing';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { chain } from '../src/chain.js';
import { jwtAuth } from '../src/jwt-auth.js';
import { scramAuthenticationMethod, scramAuth } from '../src/scram-auth.js';
import { deriveScramCredentials } from '../src/scram-credentials.js';
import { createScramTestClient } from './scram-client.js';

const secret = '0123456789abcdef0123456789abcdef';
const hook = chain([
  jwtAuth({ keys: [{ type: 'secret', secret }] }),
  scramAuth({ credentials: { user: await deriveScramCredentials('pencil') } }),
]);

describe('SCRAM-SHA-256 and JWT providers in one chain', () => {
  it('keeps the SCRAM exchange with the SCRAM hook across rounds', async () => {
    const client = createScramTestClient({ username: 'user', password: 'pencil' });
    const state: Record<string, unknown> = {};
    const round = (index: number, data: Uint8Array): Promise<AuthenticationDecision> =>
      Promise.resolve(
        hook.authenticate!(
          createAuthenticateContext(
            {},
            {
              authenticationMethod: scramAuthenticationMethod,
              authenticationData: data,
              round: index,
              state,
            },
          ),
        ),
      );
    const first = await round(0, client.clientFirst);
    expect(first).toMatchObject({ continue: true, decidedBy: 'scram-sha-256' });
    const final = await round(
      1,
      client.respond((first as { authenticationData: Uint8Array }).authenticationData),
    );
    expect(final).toMatchObject({ allow: true, username: 'user', decidedBy: 'scram-sha-256' });
    expect(client.verifyServerFinal((final as { authenticationData: Uint8Array }).authenticationData)).toBe(
      true,
    );
  });

  it('lets the JWT hook decide a CONNECT whose password is a token, and its ACL authorize', async () => {
    const token = await new SignJWT({ exp: Math.floor(Date.now() / 1000) + 600, publish: ['devices/7/#'] })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret));
    const decision = await hook.authenticate!(
      createAuthenticateContext({ username: 'device-7', password: token }),
    );
    expect(normalizeDecision(decision, hook.name)).toMatchObject({ outcome: 'allow', decidedBy: 'jwt' });
    const attributes = (decision as { attributes?: Record<string, unknown> }).attributes ?? {};
    const publish = await hook.authorizePublish!(
      createPublishContext({ username: 'device-7', attributes }, { topic: 'devices/7/state' }),
    );
    expect(normalizeDecision(publish, hook.name)).toMatchObject({ outcome: 'allow', decidedBy: 'jwt' });
  });

  it('defers a plain password that neither provider understands', async () => {
    const decision = await hook.authenticate!(
      createAuthenticateContext({ username: 'user', password: 'pencil' }),
    );
    expect(normalizeDecision(decision, hook.name).outcome).toBe('defer');
  });
});
