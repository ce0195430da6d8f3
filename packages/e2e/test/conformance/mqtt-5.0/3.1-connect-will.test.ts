// MQTT 5.0 section 3.1, the will of a CONNECT: stored with the session, published when the
// connection is lost (after the Will Delay Interval, or when the session ends), removed by
// DISCONNECT 0x00, by publication and by a reconnect within the delay, retained as asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import type { Packet, Publish, Will } from '@mqttkit/codec';
import { brokerTimer } from '../../support/broker-timer.js';
import type { RawConnection } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import { connectRaw, drop, fence, leave, subscribe, subscription } from '../support/raw-client.js';

const running = brokerForFile();
let watcher: RawConnection;
const acknowledged = new Set<Packet>();
beforeAll(async () => {
  watcher = (await connectRaw(running.port, 5, 'will-watcher')).raw;
  watcher.send({
    type: 'subscribe',
    packetId: 1,
    subscriptions: [{ ...subscription('will/#', 1), retainAsPublished: true }],
  });
  await watcher.next('suback');
  // The watcher acknowledges every will, so that none waits in its inflight window.
  watcher.socket.on('data', () => {
    for (const packet of watcher.packets) {
      if (packet.type === 'publish' && packet.qos === 1 && !acknowledged.has(packet)) {
        acknowledged.add(packet);
        watcher.send({ type: 'puback', packetId: packet.packetId! });
      }
    }
  });
});
afterAll(async () => {
  await leave(watcher);
});
const wills = (): Publish[] =>
  watcher.packets.filter((packet): packet is Publish => packet.type === 'publish');

/** Resolves with the will on `topic` once the watcher has it. */
async function willOn(topic: string): Promise<Publish> {
  for (let index = 0; ; index += 1) {
    const packet = await watcher.next('publish', index);
    if (packet.topic === topic) return packet;
  }
}

const will = (name: string, overrides: Partial<Will> = {}): Will => ({
  topic: `will/${name}`,
  payload: Buffer.from(`${name} is gone`),
  qos: 1,
  retain: false,
  ...overrides,
});

const session = { clean: false, properties: { sessionExpiryInterval: 60 } } as const;

describe('MQTT 5.0 section 3.1 CONNECT: the will', () => {
  it('[MQTT-3.1.2-7] stores the Will Message of the CONNECT and publishes it, properties and all, when the connection is lost', async () => {
    const properties = {
      payloadFormatIndicator: 1,
      messageExpiryInterval: 120,
      contentType: 'text/plain',
      responseTopic: 'will/replies',
      correlationData: Buffer.from([0, 1, 2]),
    } as const;
    const { raw } = await connectRaw(running.port, 5, 'will-stored', {
      will: will('stored', { properties }),
    });
    await drop(raw);
    const published = await willOn('will/stored');
    expect(Buffer.from(published.payload).toString()).toBe('stored is gone');
    expect(published.qos).toBe(1);
    expect(published.properties).toMatchObject({
      payloadFormatIndicator: 1,
      contentType: 'text/plain',
      responseTopic: 'will/replies',
    });
    expect(Buffer.from(published.properties!.correlationData!)).toEqual(Buffer.from([0, 1, 2]));
    expect(published.properties!.messageExpiryInterval).toBeLessThanOrEqual(120);
  });

  it('[MQTT-3.1.2-8] publishes the will when the network connection is lost or on DISCONNECT 0x04, and not after DISCONNECT 0x00', async () => {
    const polite = await connectRaw(running.port, 5, 'will-polite', { will: will('polite') });
    await leave(polite.raw);
    const leaving = await connectRaw(running.port, 5, 'will-leaving', { will: will('leaving') });
    leaving.raw.socket.end(
      encode({ type: 'disconnect', reasonCode: ReasonCode.DisconnectWithWillMessage }, 5),
    );
    await leaving.raw.closed;
    await willOn('will/leaving');
    const crashed = await connectRaw(running.port, 5, 'will-crashed', { will: will('crashed') });
    await drop(crashed.raw);
    await willOn('will/crashed');
    expect(wills().map((packet) => packet.topic)).not.toContain('will/polite');
  });

  it('[MQTT-3.1.2-10] removes the will once it was published: the resumed session has none left', async () => {
    const first = await connectRaw(running.port, 5, 'will-once', { ...session, will: will('once') });
    await drop(first.raw);
    await willOn('will/once');
    const resumed = await connectRaw(running.port, 5, 'will-once', session);
    expect(resumed.connack.sessionPresent).toBe(true);
    await drop(resumed.raw);
    const control = await connectRaw(running.port, 5, 'will-once-control', { will: will('once-control') });
    await drop(control.raw);
    await willOn('will/once-control');
    expect(wills().filter((packet) => packet.topic === 'will/once')).toHaveLength(1);
  });

  it('[MQTT-3.1.2-14] publishes a will with Will Retain 0 as a non-retained message', async () => {
    const { raw } = await connectRaw(running.port, 5, 'will-plain', {
      will: will('plain', { retain: false }),
    });
    await drop(raw);
    expect((await willOn('will/plain')).retain).toBe(false);
    const late = await connectRaw(running.port, 5, 'will-plain-late');
    await subscribe(late.raw, [subscription('will/plain', 1)], { packetId: 1 });
    await fence(late.raw);
    expect(late.raw.packets.filter((packet) => packet.type === 'publish')).toEqual([]);
    await leave(late.raw);
  });

  it('[MQTT-3.1.2-15] publishes a will with Will Retain 1 as a retained message', async () => {
    const { raw } = await connectRaw(running.port, 5, 'will-retained', {
      will: will('retained', { retain: true }),
    });
    await drop(raw);
    expect((await willOn('will/retained')).retain).toBe(true);
    const late = await connectRaw(running.port, 5, 'will-retained-late');
    await subscribe(late.raw, [subscription('will/retained', 1)], { packetId: 1 });
    const retained = await late.raw.next('publish');
    expect([retained.topic, Buffer.from(retained.payload).toString(), retained.retain]).toEqual([
      'will/retained',
      'retained is gone',
      true,
    ]);
    late.raw.send({ type: 'puback', packetId: retained.packetId! });
    // Clear the retained message for anyone else.
    late.raw.send({
      type: 'publish',
      topic: 'will/retained',
      payload: Buffer.alloc(0),
      qos: 0,
      retain: true,
      dup: false,
    });
    await leave(late.raw);
  });

  it('[MQTT-3.1.3-10] keeps the order of the will’s User Properties, repeated names included', async () => {
    const userProperties: [string, string][] = [
      ['zeta', '1'],
      ['alpha', '2'],
      ['zeta', '3'],
      ['ünïcode', '✓'],
      ['alpha', '2'],
    ];
    const { raw } = await connectRaw(running.port, 5, 'will-ordered', {
      will: will('ordered', { properties: { userProperties } }),
    });
    await drop(raw);
    expect((await willOn('will/ordered')).properties?.userProperties).toEqual(userProperties);
  });
});

// These wait on the broker's clock for a second each: they run side by side.
describe.concurrent('MQTT 5.0 section 3.1 CONNECT: the will delay', () => {
  it('[MQTT-3.1.2-8] publishes the will once the Will Delay Interval has passed, or once the session ends if that comes first', async () => {
    const delayed = await connectRaw(running.port, 5, 'will-delayed', {
      ...session,
      will: will('delayed', { properties: { willDelayInterval: 1 } }),
    });
    const sessionEnds = await connectRaw(running.port, 5, 'will-session-ends', {
      clean: false,
      properties: { sessionExpiryInterval: 1 },
      will: will('session-ends', { properties: { willDelayInterval: 60 } }),
    });
    const closedAt = Date.now();
    await Promise.all([drop(delayed.raw), drop(sessionEnds.raw)]);
    await Promise.all([willOn('will/delayed'), willOn('will/session-ends')]);
    const waited = Date.now() - closedAt;
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(5000);
  });

  it('[MQTT-3.1.2-8] deletes a will still waiting for its delay when a new connection opens for the client id, with Clean Start 1 too', async () => {
    // The exception of the statement is keyed on the client id, so it applies to a new session as well.
    const first = await connectRaw(running.port, 5, 'will-restarted', {
      ...session,
      will: will('restarted', { properties: { willDelayInterval: 1 } }),
    });
    await drop(first.raw);
    const restarted = await connectRaw(running.port, 5, 'will-restarted', { ...session, clean: true });
    expect(restarted.connack.sessionPresent).toBe(false);
    await brokerTimer(running, 1);
    await fence(watcher);
    expect(wills().map((packet) => packet.topic)).not.toContain('will/restarted');
    await leave(restarted.raw);
  });

  it('[MQTT-3.1.2-10] removes the will on DISCONNECT 0x00: it is not published when the session ends later', async () => {
    const client = await connectRaw(running.port, 5, 'will-removed', {
      clean: false,
      properties: { sessionExpiryInterval: 1 },
      will: will('removed', { properties: { willDelayInterval: 1 } }),
    });
    await leave(client.raw);
    // Once the broker's clock has moved a second on, the session and the will delay are over.
    await brokerTimer(running, 1);
    await fence(watcher);
    expect(wills().map((packet) => packet.topic)).not.toContain('will/removed');
  });

  it('[MQTT-3.1.3-9] does not publish the will when the session is resumed before the Will Delay Interval passed', async () => {
    const first = await connectRaw(running.port, 5, 'will-returner', {
      ...session,
      will: will('returner', { properties: { willDelayInterval: 1 } }),
    });
    await drop(first.raw);
    const back = await connectRaw(running.port, 5, 'will-returner', session);
    expect(back.connack.sessionPresent).toBe(true);
    await brokerTimer(running, 1);
    await fence(watcher);
    expect(wills().map((packet) => packet.topic)).not.toContain('will/returner');
    await leave(back.raw);
  });
});
