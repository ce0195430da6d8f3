// MQTT 5.0 section 4.12: enhanced authentication with AUTH packets, on CONNECT and as
// re-authentication, against a challenge/response hook for the method "C50C-CHALLENGE".
import { describe, expect, it } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import type { Auth, Connack } from '@mqttkit/codec';
import type { Hook } from '@mqttkit/contracts';
import { connectPacket, openRawConnection } from '../../support/raw-connection.js';
import type { RawConnection } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import { disconnectBytes, fence, leave, packetsOf, rawClient } from '../support/raw-client.js';

const method = 'C50C-CHALLENGE';
const text = (data: Uint8Array | undefined): string => Buffer.from(data ?? []).toString();

// Plain clients are allowed; the challenge method sends "challenge", accepts the answer "secret" and
// refuses "wrong-password" with 0x86, anything else with 0x87;
// every other method is left to other hooks (there are none), so the broker refuses it with 0x8C.
const challenge: Hook = {
  name: 'c50c-challenge',
  authenticate: ({ authenticationMethod, authenticationData, round }) => {
    if (authenticationMethod === undefined) return 'allow';
    if (authenticationMethod !== method) return 'defer';
    if (round === 0) return { continue: true, authenticationData: Buffer.from('challenge') };
    const answer = text(authenticationData);
    if (answer === 'secret') return { allow: true, authenticationData: Buffer.from('welcome') };
    // A code only CONNACK defines, which a DISCONNECT cannot carry.
    return {
      deny: answer === 'wrong-password' ? ReasonCode.BadUserNameOrPassword : ReasonCode.NotAuthorized,
    };
  },
  authorizePublish: () => 'allow',
  authorizeSubscribe: () => 'allow',
};

const running = brokerForFile({ hooks: [challenge] });

const auth = (reasonCode: number, data: string, authenticationMethod = method): Auth => ({
  type: 'auth',
  reasonCode,
  properties: { authenticationMethod, authenticationData: Buffer.from(data) },
});

/** Sends CONNECT with the challenge method and waits for the broker's AUTH 0x18. */
async function challenged(clientId: string, authenticationMethod = method): Promise<RawConnection> {
  const raw = await openRawConnection(running.port, 5);
  raw.send({ ...connectPacket(clientId, 5), properties: { authenticationMethod } });
  return raw;
}

/** Resolves with the bytes the broker sent once it closed the connection. */
async function closedWith(raw: RawConnection): Promise<Buffer> {
  await raw.closed;
  return raw.received();
}

const connackBytes = (reasonCode: number): Buffer =>
  Buffer.from(encode({ type: 'connack', sessionPresent: false, reasonCode } satisfies Connack, 5));

/** A connection authenticated with the challenge method. */
async function authenticated(clientId: string): Promise<RawConnection> {
  const raw = await challenged(clientId);
  await raw.next('auth');
  raw.send(auth(ReasonCode.ContinueAuthentication, 'secret'));
  expect((await raw.next('connack')).reasonCode).toBe(ReasonCode.Success);
  return raw;
}

/** Re-authenticates answering the challenge with `answer`; resolves with what the broker sent then. */
async function refusedReauthentication(clientId: string, answer: string): Promise<Buffer> {
  const raw = await authenticated(clientId);
  raw.send(auth(ReasonCode.ReAuthenticate, ''));
  await raw.next('auth', 1);
  const before = raw.received().length;
  raw.send(auth(ReasonCode.ContinueAuthentication, answer));
  return (await closedWith(raw)).subarray(before);
}

describe('4.12 enhanced authentication', () => {
  it('[MQTT-4.12.0-1] answers an Authentication Method it does not support with CONNACK 0x8C and closes', async () => {
    const raw = await challenged('unknown-method', 'SCRAM-SHA-512');
    expect(await closedWith(raw)).toEqual(connackBytes(ReasonCode.BadAuthenticationMethod));
  });

  it('[MQTT-4.12.0-2] [MQTT-4.12.0-5] asks for more data with AUTH 0x18, and every AUTH and the CONNACK carry the CONNECT’s method', async () => {
    const raw = await challenged('challenge-ok');
    const request = await raw.next('auth');
    expect(request.reasonCode).toBe(ReasonCode.ContinueAuthentication);
    expect(request.properties?.authenticationMethod).toBe(method);
    expect(text(request.properties?.authenticationData)).toBe('challenge');
    raw.send(auth(ReasonCode.ContinueAuthentication, 'secret'));
    const connack = await raw.next('connack');
    expect(connack.reasonCode).toBe(ReasonCode.Success);
    expect(connack.properties?.authenticationMethod).toBe(method);
    expect(text(connack.properties?.authenticationData)).toBe('welcome');
    await leave(raw);
  });

  it('[MQTT-4.12.0-3] refuses a client whose AUTH reply during authentication is not 0x18 (CONNACK 0x82) and closes', async () => {
    for (const reasonCode of [ReasonCode.ReAuthenticate, ReasonCode.Success]) {
      const raw = await challenged(`reply-${reasonCode}`);
      await raw.next('auth');
      const authLength = raw.received().length;
      raw.send(auth(reasonCode, 'secret'));
      expect((await closedWith(raw)).subarray(authLength)).toEqual(connackBytes(ReasonCode.ProtocolError));
    }
  });

  it('[MQTT-4.12.0-4] rejects a failed authentication with CONNACK 0x87 and closes the connection', async () => {
    const raw = await challenged('challenge-wrong');
    await raw.next('auth');
    const authLength = raw.received().length;
    raw.send(auth(ReasonCode.ContinueAuthentication, 'guess'));
    expect((await closedWith(raw)).subarray(authLength)).toEqual(connackBytes(ReasonCode.NotAuthorized));
  });

  it('[MQTT-4.12.0-5] refuses an AUTH reply that names another Authentication Method (CONNACK 0x82) and closes', async () => {
    const raw = await challenged('challenge-switch');
    await raw.next('auth');
    const authLength = raw.received().length;
    raw.send(auth(ReasonCode.ContinueAuthentication, 'secret', 'OTHER'));
    expect((await closedWith(raw)).subarray(authLength)).toEqual(connackBytes(ReasonCode.ProtocolError));
  });

  it('[MQTT-4.12.0-6] sends no AUTH and no Authentication Method in CONNACK to a client that gave no method', async () => {
    const raw = await rawClient(running.port, 5, 'plain-client');
    const connack = packetsOf(raw, 'connack')[0]!;
    expect(connack.properties?.authenticationMethod).toBeUndefined();
    expect(connack.properties?.authenticationData).toBeUndefined();
    await fence(raw);
    expect(packetsOf(raw, 'auth')).toEqual([]);
    await leave(raw);
  });

  it('[MQTT-4.12.0-7] closes with DISCONNECT 0x82 a client that sends AUTH without an Authentication Method in CONNECT', async () => {
    const raw = await rawClient(running.port, 5, 'plain-auth');
    const connackLength = raw.received().length;
    raw.send(auth(ReasonCode.ReAuthenticate, 'x'));
    expect((await closedWith(raw)).subarray(connackLength)).toEqual(
      disconnectBytes(ReasonCode.ProtocolError),
    );
  });

  it('[MQTT-4.12.0-5] re-authenticates with AUTH packets that all carry the CONNECT’s method, ending in AUTH 0x00', async () => {
    const raw = await authenticated('reauth-ok');
    raw.send(auth(ReasonCode.ReAuthenticate, ''));
    const request = await raw.next('auth', 1);
    expect([request.reasonCode, request.properties?.authenticationMethod]).toEqual([
      ReasonCode.ContinueAuthentication,
      method,
    ]);
    raw.send(auth(ReasonCode.ContinueAuthentication, 'secret'));
    const done = await raw.next('auth', 2);
    expect([
      done.reasonCode,
      done.properties?.authenticationMethod,
      text(done.properties?.authenticationData),
    ]).toEqual([ReasonCode.Success, method, 'welcome']);
    // The connection goes on as before.
    await fence(raw);
    await leave(raw);
  });

  it('[MQTT-4.12.1-1] closes with DISCONNECT 0x82 a client that re-authenticates with another method', async () => {
    const raw = await authenticated('reauth-switch');
    const before = raw.received().length;
    raw.send(auth(ReasonCode.ReAuthenticate, '', 'OTHER'));
    expect((await closedWith(raw)).subarray(before)).toEqual(disconnectBytes(ReasonCode.ProtocolError));
  });

  it('[MQTT-4.12.1-2] closes the connection after a failed re-authentication, with DISCONNECT 0x87 first', async () => {
    expect(await refusedReauthentication('reauth-fail', 'guess')).toEqual(
      disconnectBytes(ReasonCode.NotAuthorized),
    );
  });

  it('[MQTT-4.12.1-2] [MQTT-3.14.2-1] sends DISCONNECT 0x87 when the hook refuses a re-authentication with a code DISCONNECT does not define (0x86)', async () => {
    expect(await refusedReauthentication('reauth-undefined-code', 'wrong-password')).toEqual(
      disconnectBytes(ReasonCode.NotAuthorized),
    );
  });
});
