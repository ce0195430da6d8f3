// MQTT 5.0 section 4.9: the broker's send quota towards a client follows the client's Receive
// Maximum, and a client that has used up its quota still gets every other packet answered.
import { describe, expect, it } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import { openRawConnection, connectPacket } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  disconnectBytes,
  fence,
  leave,
  packetsOf,
  publishes,
  publishPacket,
  rawClient,
  subscribe,
} from '../support/raw-client.js';

const running = brokerForFile({ capabilities: { receiveMaximum: 5 } });

describe('4.9 flow control', () => {
  it('[MQTT-4.9.0-1] starts with a send quota of exactly the client’s Receive Maximum, and announces a non-zero one of its own', async () => {
    const raw = await openRawConnection(running.port, 5);
    raw.send({ ...connectPacket('quota-three', 5), properties: { receiveMaximum: 3 } });
    expect((await raw.next('connack')).properties?.receiveMaximum).toBe(5);
    await subscribe(raw, [['quota/#', 1]]);
    const publisher = await running.client({ protocolVersion: 5 });
    for (let index = 0; index < 6; index += 1)
      await publisher.publishAsync(`quota/${index}`, 'x', { qos: 1 });
    await raw.next('publish', 2);
    await fence(raw);
    expect(publishes(raw).map((packet) => packet.topic)).toEqual(['quota/0', 'quota/1', 'quota/2']);
    await leave(raw);
  });

  it('[MQTT-4.9.0-2] spends one unit per QoS 1 and QoS 2 PUBLISH and sends no more at zero', async () => {
    const raw = await rawClient(running.port, 5, 'quota-spender', { properties: { receiveMaximum: 2 } });
    await subscribe(raw, [['spend/#', 2]]);
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('spend/q1', 'x', { qos: 1 });
    await publisher.publishAsync('spend/q2', 'x', { qos: 2 });
    await publisher.publishAsync('spend/held', 'x', { qos: 1 });
    await raw.next('publish', 1);
    await fence(raw);
    expect(publishes(raw).map((packet) => packet.topic)).toEqual(['spend/q1', 'spend/q2']);
    // A PUBACK returns one unit: the held message goes out, and the quota is at zero again.
    raw.send({ type: 'puback', packetId: publishes(raw)[0]!.packetId! });
    await raw.next('publish', 2);
    await publisher.publishAsync('spend/held2', 'x', { qos: 2 });
    await fence(raw);
    expect(publishes(raw).map((packet) => packet.topic)).toEqual(['spend/q1', 'spend/q2', 'spend/held']);
    // PUBREC alone does not: the unit comes back with PUBCOMP.
    const qos2 = publishes(raw)[1]!;
    raw.send({ type: 'pubrec', packetId: qos2.packetId! });
    await raw.next('pubrel');
    await fence(raw);
    expect(publishes(raw)).toHaveLength(3);
    raw.send({ type: 'pubcomp', packetId: qos2.packetId! });
    expect((await raw.next('publish', 3)).topic).toBe('spend/held2');
    await leave(raw);
  });

  it('[MQTT-4.9.0-2] closes with DISCONNECT 0x93 a client that sends more unacknowledged QoS 2 PUBLISH packets than the broker’s Receive Maximum', async () => {
    const raw = await rawClient(running.port, 5, 'quota-breaker');
    const connackLength = raw.received().length;
    // QoS 2 messages stay unacknowledged until PUBREL, which this client never sends.
    for (let packetId = 1; packetId <= 6; packetId += 1)
      raw.send(publishPacket(`breaker/${packetId}`, `breaker/${packetId}`, { qos: 2, packetId }));
    await raw.closed;
    const pubrecs = packetsOf(raw, 'pubrec');
    expect(pubrecs.map((packet) => packet.packetId)).toEqual([1, 2, 3, 4, 5]);
    const pubrecBytes = pubrecs.reduce((total, packet) => total + encode(packet, 5).length, 0);
    expect(raw.received().subarray(connackLength + pubrecBytes)).toEqual(
      disconnectBytes(ReasonCode.ReceiveMaximumExceeded),
    );
  });

  it('[MQTT-4.9.0-3] goes on answering SUBSCRIBE, UNSUBSCRIBE, PINGREQ and the client’s own PUBLISH packets while the quota is zero', async () => {
    const raw = await rawClient(running.port, 5, 'quota-zero', { properties: { receiveMaximum: 1 } });
    await subscribe(raw, [['zero/#', 1]]);
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('zero/a', 'x', { qos: 1 });
    await publisher.publishAsync('zero/b', 'x', { qos: 1 });
    await raw.next('publish');
    expect((await subscribe(raw, [['elsewhere/#', 2]])).reasonCodes).toEqual([2]);
    raw.send({ type: 'unsubscribe', packetId: 77, topicFilters: ['elsewhere/#'] });
    expect((await raw.next('unsuback')).packetId).toBe(77);
    raw.send(publishPacket('other/q1', 'other/q1', { qos: 1, packetId: 78 }));
    expect((await raw.next('puback')).packetId).toBe(78);
    raw.send(publishPacket('other/q2', 'other/q2', { qos: 2, packetId: 79 }));
    expect((await raw.next('pubrec')).packetId).toBe(79);
    raw.send({ type: 'pubrel', packetId: 79 });
    expect((await raw.next('pubcomp')).packetId).toBe(79);
    await fence(raw);
    expect(publishes(raw).map((packet) => packet.topic)).toEqual(['zero/a']);
    expect(packetsOf(raw, 'disconnect')).toEqual([]);
    raw.send({ type: 'puback', packetId: publishes(raw)[0]!.packetId! });
    expect((await raw.next('publish', 1)).topic).toBe('zero/b');
    await leave(raw);
  });
});
