// MQTT 5.0 section 3.15, AUTH: its flags, the reason codes the broker sends and accepts during
// enhanced authentication and re-authentication, and the optional properties a small Maximum
// Packet Size leaves out.
import { describe, expect, it } from 'vitest';
import { allowAll } from '@mqttkit/auth';
import { encode, ReasonCode } from '@mqttkit/codec';
import type { Auth } from '@mqttkit/codec';
import type { Hook } from '@mqttkit/contracts';
import { connectPacket, frame, openRawConnection } from '../../support/raw-connection.js';
import type { RawConnection } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import { closedWith, leave } from '../support/raw-client.js';

/** The Authenticate reason codes of the standard (3.15.2.1). */
const authReasonCodes = [0x00, 0x18, 0x19];

const authenticationMethod = 'c50b-challenge';

/** One challenge round: the client must answer `challenge` with `response`. */
const challengeHook: Hook = {
  name: 'c50b-challenge',
  authenticate: ({ authenticationMethod: method, authenticationData, round }) => {
    if (method !== authenticationMethod) return 'defer';
    if (round === 0) return { continue: true, authenticationData: Buffer.from('challenge') };
    return Buffer.from(authenticationData ?? []).toString() === 'response'
      ? { allow: true }
      : { deny: ReasonCode.NotAuthorized };
  },
};

const running = brokerForFile({ hooks: [challengeHook, allowAll({ logger: { warn: () => {} } })] });
let clients = 0;

const answer = (reasonCode: number): Auth => ({
  type: 'auth',
  reasonCode,
  properties: { authenticationMethod, authenticationData: Buffer.from('response') },
});

const auths = (raw: RawConnection): Auth[] =>
  raw.packets.filter((packet): packet is Auth => packet.type === 'auth');

/** Opens a connection and sends CONNECT with the challenge method; resolves once AUTH 0x18 arrived. */
async function challenged(maximumPacketSize?: number): Promise<RawConnection> {
  const raw = await openRawConnection(running.port, 5);
  raw.send({
    ...connectPacket(`c50b-3.15-${++clients}`, 5),
    properties: { authenticationMethod, ...(maximumPacketSize ? { maximumPacketSize } : {}) },
  });
  await raw.next('auth');
  return raw;
}

/** A connection through the whole challenge exchange, CONNACK 0x00 received. */
async function authenticated(): Promise<RawConnection> {
  const raw = await challenged();
  raw.send(answer(ReasonCode.ContinueAuthentication));
  expect((await raw.next('connack')).reasonCode).toBe(ReasonCode.Success);
  return raw;
}

describe('3.15 AUTH', () => {
  it('[MQTT-3.15.1-1] closes an authenticated connection that sends AUTH with fixed-header flags other than 0 (DISCONNECT 0x81)', async () => {
    for (const flags of [0x1, 0x2, 0x4, 0x8]) {
      const raw = await authenticated();
      const body = encode(answer(ReasonCode.ReAuthenticate), 5).subarray(2);
      raw.send(frame(0xf0 | flags, body));
      await closedWith(raw, ReasonCode.MalformedPacket);
      expect(auths(raw)).toHaveLength(1);
    }
  });

  it('[MQTT-3.15.1-1] closes a connection that sends AUTH with flags set during the CONNECT exchange, without accepting it', async () => {
    const raw = await challenged();
    const body = encode(answer(ReasonCode.ContinueAuthentication), 5).subarray(2);
    raw.send(frame(0xf2, body));
    await raw.closed;
    expect(raw.packets.map((packet) => packet.type)).toEqual(['auth']);
  });

  it('[MQTT-3.15.2-1] sends Authenticate reason codes only: 0x18 to continue an exchange, 0x00 when re-authentication succeeded', async () => {
    const raw = await authenticated();
    raw.send(answer(ReasonCode.ReAuthenticate));
    await raw.next('auth', 1);
    raw.send(answer(ReasonCode.ContinueAuthentication));
    await raw.next('auth', 2);
    expect(auths(raw).map((packet) => [packet.reasonCode, packet.properties?.authenticationMethod])).toEqual([
      [ReasonCode.ContinueAuthentication, authenticationMethod],
      [ReasonCode.ContinueAuthentication, authenticationMethod],
      [ReasonCode.Success, authenticationMethod],
    ]);
    for (const packet of auths(raw)) expect(authReasonCodes).toContain(packet.reasonCode);
    await leave(raw);
  });

  it('[MQTT-3.15.2-1] answers an AUTH with a reason code AUTH does not define with DISCONNECT 0x82', async () => {
    // The packet parses; a value the protocol does not allow is a Protocol Error (MQTT 5.0 1.2).
    const raw = await authenticated();
    const body = Buffer.from(encode(answer(ReasonCode.ReAuthenticate), 5).subarray(2));
    body[0] = 0x05;
    raw.send(frame(0xf0, body));
    await closedWith(raw, ReasonCode.ProtocolError);
  });

  it('[MQTT-3.15.2-2] [MQTT-3.15.2-3] sends AUTH to a client with a small Maximum Packet Size whole, without Reason String or User Properties', async () => {
    const maximumPacketSize = 40;
    const raw = await challenged(maximumPacketSize);
    const [auth] = auths(raw);
    expect(auth!.properties?.reasonString).toBeUndefined();
    expect(auth!.properties?.userProperties).toBeUndefined();
    const bytes = encode(auth!, 5);
    expect(bytes.length).toBeLessThanOrEqual(maximumPacketSize);
    expect(raw.received().includes(Buffer.from(bytes))).toBe(true);
    raw.send(answer(ReasonCode.ContinueAuthentication));
    expect((await raw.next('connack')).reasonCode).toBe(ReasonCode.Success);
    await leave(raw);
  });
});
