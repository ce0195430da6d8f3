// MQTT 3.1.1 section 3.2: CONNACK comes first, Session Present follows Clean Session and the stored
// state, a refusing CONNACK has Session Present 0 and is followed by closing the connection.
import { describe, expect, it } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import type { Connect } from '@mqttkit/codec';
import type { Hook } from '@mqttkit/contracts';
import { connectPacket, mqttString, openRawConnection } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import { allowEveryone } from '../support/hooks.js';
import {
  connackAccepted,
  connackRefused,
  connackResumed,
  connectBytes,
  ConnectFlag,
  leave,
  publishPacket,
  rawClient,
  sendUntilClosed,
  sessionPresent,
  splitFrames,
  subscribe,
  subscription,
} from '../support/raw-client.js';

const gate: Hook = {
  name: 'c311a-password-gate',
  authenticate({ client, password }) {
    if (client.username === 'nobody') return { deny: ReasonCode.NotAuthorized };
    if (password !== undefined && Buffer.from(password).toString() === 'wrong')
      return { deny: ReasonCode.BadUserNameOrPassword };
    return 'defer';
  },
};

const running = brokerForFile({ hooks: [gate, allowEveryone()] });

/** Leaves a CleanSession=0 session with one subscription stored for `clientId`. */
async function storeSession(clientId: string): Promise<void> {
  const raw = await rawClient(running.port, 4, clientId, { clean: false });
  await subscribe(raw, [[`${clientId}/topic`, 1]], { packetId: 1 });
  await leave(raw);
}

/** Sends one CONNECT and resolves with the CONNACK bytes, leaving with DISCONNECT. */
async function connackFor(connect: Connect): Promise<Buffer> {
  const raw = await openRawConnection(running.port, 4);
  raw.send(connect);
  await raw.next('connack');
  await leave(raw);
  return raw.received();
}

describe('MQTT 3.1.1 section 3.2 CONNACK', () => {
  it('[MQTT-3.2.0-1] sends CONNACK before anything else, even with queued messages and packets sent right behind the CONNECT', async () => {
    await storeSession('first-connack');
    const sender = await rawClient(running.port, 4, 'first-connack-sender');
    sender.send(publishPacket('first-connack/topic', 'queued', { qos: 1, packetId: 1 }));
    sender.send(publishPacket('first-connack/retained', 'retained', { qos: 1, packetId: 2, retain: true }));
    await sender.next('puback', 1);
    await leave(sender);

    const raw = await openRawConnection(running.port, 4);
    raw.socket.write(
      Buffer.concat([
        encode({ ...connectPacket('first-connack', 4), clean: false }, 4),
        encode(
          {
            type: 'subscribe',
            packetId: 2,
            subscriptions: [subscription('first-connack/retained', 1)],
          },
          4,
        ),
        encode({ type: 'pingreq' }, 4),
      ]),
    );
    await Promise.all([raw.next('publish', 1), raw.next('pingresp')]);
    const packets = splitFrames(raw.received());
    expect(packets[0]).toEqual(connackResumed);
    expect(packets.slice(1).map((packet) => packet[0]! >> 4)).not.toContain(0x2);
    for (const publish of raw.packets) {
      if (publish.type === 'publish') raw.send({ type: 'puback', packetId: publish.packetId! });
    }
    await leave(raw);
  });

  it('[MQTT-3.2.2-1] answers CleanSession=1 with Session Present 0 and return code 0, even when a session was stored', async () => {
    await storeSession('sp-clean');
    expect(await connackFor(connectPacket('sp-clean', 4))).toEqual(connackAccepted);
  });

  it('[MQTT-3.2.2-2] answers CleanSession=0 with Session Present 1 when session state was stored for the ClientId', async () => {
    await storeSession('sp-resumed');
    expect(await connackFor({ ...connectPacket('sp-resumed', 4), clean: false })).toEqual(connackResumed);
  });

  it('[MQTT-3.2.2-2] answers Session Present 1 when the CleanSession=0 session is taken over from a live connection, and keeps its subscriptions', async () => {
    const first = await rawClient(running.port, 4, 'sp-takeover', { clean: false });
    await subscribe(first, [['sp-takeover/topic', 1]], { packetId: 1 });
    const second = await rawClient(running.port, 4, 'sp-takeover', { clean: false });
    await first.closed;
    expect(sessionPresent(second)).toBe(true);
    second.send(publishPacket('sp-takeover/topic', 'still subscribed', { qos: 1, packetId: 1 }));
    const delivered = await second.next('publish');
    expect(Buffer.from(delivered.payload).toString()).toBe('still subscribed');
    second.send({ type: 'puback', packetId: delivered.packetId! });
    await leave(second);
    await connackFor(connectPacket('sp-takeover', 4));
  });

  it('[MQTT-3.2.2-3] answers CleanSession=0 with Session Present 0 and return code 0 when no session state was stored', async () => {
    expect(await connackFor({ ...connectPacket('sp-fresh', 4), clean: false })).toEqual(connackAccepted);
    await connackFor(connectPacket('sp-fresh', 4));
  });

  it('[MQTT-3.2.2-4] sets Session Present 0 in a refusing CONNACK even when session state is stored', async () => {
    await storeSession('sp-refused');
    const received = await sendUntilClosed(running.port, [
      encode(
        { ...connectPacket('sp-refused', 4), clean: false, username: 'user', password: Buffer.from('wrong') },
        4,
      ),
    ]);
    // 0x04: bad user name or password.
    expect(received).toEqual(connackRefused(0x04));
    // The refused CONNECT left the stored session alone.
    expect(await connackFor({ ...connectPacket('sp-refused', 4), clean: false })).toEqual(connackResumed);
    await connackFor(connectPacket('sp-refused', 4));
  });

  it('[MQTT-3.2.2-5] closes the connection after a CONNACK with a non-zero return code', async () => {
    const raw = await openRawConnection(running.port, 4);
    raw.send({ ...connectPacket('refused-close', 4), username: 'nobody' });
    await raw.closed;
    // 0x05: not authorized; the socket closed with nothing after it.
    expect(raw.received()).toEqual(connackRefused(0x05));
  });

  it('[MQTT-3.2.2-6] closes the connection without a CONNACK when no return code fits: a CONNECT with bytes after its last field', async () => {
    const received = await sendUntilClosed(running.port, [
      connectBytes({ flags: ConnectFlag.cleanSession, payload: [mqttString('trailing'), [0x00]] }),
    ]);
    expect(received).toEqual(Buffer.alloc(0));
  });
});
