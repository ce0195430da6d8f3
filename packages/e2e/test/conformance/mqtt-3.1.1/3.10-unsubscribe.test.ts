// MQTT 3.1.1 section 3.10, UNSUBSCRIBE: the fixed header, the payload the broker polices, which
// subscriptions it deletes, what happens to messages afterwards, and the UNSUBACK.
import { describe, expect, it } from 'vitest';
import { frame, mqttString } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  closedAfter,
  connackLength,
  fence,
  leave,
  payloads,
  publishes,
  publishPacket,
  rawClient,
  subscribe,
  uniqueId,
  unsubscribe,
} from '../support/raw-client.js';

const running = brokerForFile();

const connect = (prefix: string, clean = true) =>
  rawClient(running.port, 4, uniqueId(`c311b-3.10-${prefix}`), { clean });

describe('MQTT 3.1.1 3.10 UNSUBSCRIBE', () => {
  it('[MQTT-3.10.1-1] closes the connection on an UNSUBSCRIBE with fixed-header flags 0000', async () => {
    const raw = await connect('flags-0');
    raw.send(frame(0xa0, [0, 1, ...mqttString('flags/a')]));
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-3.10.1-1] closes the connection on an UNSUBSCRIBE with fixed-header flags 0110', async () => {
    const raw = await connect('flags-6');
    raw.send(frame(0xa6, [0, 1, ...mqttString('flags/a')]));
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-3.10.3-1] reads filters packed back to back and closes on one that is not well-formed UTF-8', async () => {
    const raw = await connect('utf8');
    await subscribe(raw, [
      ['packed/a', 0],
      ['packed/b', 0],
    ]);
    raw.send(frame(0xa2, [0, 2, ...mqttString('packed/a'), ...mqttString('packed/b')]));
    await raw.next('unsuback');
    raw.send(frame(0xa2, [0, 3, ...mqttString('packed/a'), ...mqttString(Buffer.from([0x62, 0xc0, 0xaf]))]));
    expect(await closedAfter(raw, connackLength + 6 + 4)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-3.10.3-2] closes the connection on an UNSUBSCRIBE with no topic filter', async () => {
    const raw = await connect('empty');
    raw.send(frame(0xa2, [0, 1]));
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-3.10.4-1] deletes only the subscription whose filter is identical character for character', async () => {
    const raw = await connect('exact');
    await subscribe(raw, [
      ['exact/+', 0],
      ['exact/#', 0],
    ]);
    // Each of these would match as a topic name, or differs in case or a trailing level: none is identical.
    await unsubscribe(raw, ['exact/a', 'exact/+/', 'EXACT/+', 'exact/#/', '#'], { packetId: 2 });
    const publisher = await connect('exact-publisher');
    publisher.send(publishPacket('exact/a', 'both'));
    await raw.next('publish');
    await fence(raw);
    // Two subscriptions left; mqttkit sends one copy for overlapping subscriptions.
    expect(payloads(raw)).toEqual(['both']);
    await unsubscribe(raw, ['exact/+'], { packetId: 3 });
    publisher.send(publishPacket('exact/a', 'hash-only'));
    publisher.send(publishPacket('exact/a/b', 'deep'));
    await raw.next('publish', 2);
    await unsubscribe(raw, ['exact/#'], { packetId: 4 });
    publisher.send(publishPacket('exact/a', 'none'));
    publisher.send(publishPacket('exact/a/b', 'none'));
    await fence(publisher);
    await fence(raw);
    expect(payloads(raw)).toEqual(['both', 'hash-only', 'deep']);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.10.4-2] adds no new messages for a deleted subscription', async () => {
    const raw = await connect('stop');
    await subscribe(raw, [
      ['stop/a', 1],
      ['stop/marker', 0],
    ]);
    const publisher = await connect('stop-publisher');
    publisher.send(publishPacket('stop/a', 'before', { qos: 1, packetId: 1 }));
    const before = await raw.next('publish');
    raw.send({ type: 'puback', packetId: before.packetId! });
    await unsubscribe(raw, ['stop/a'], { packetId: 2 });
    publisher.send(publishPacket('stop/a', 'after', { qos: 1, packetId: 2 }));
    publisher.send(publishPacket('stop/marker', 'marker'));
    await raw.next('publish', 1);
    expect(payloads(raw)).toEqual(['before', 'marker']);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.10.4-3] completes a QoS 2 delivery that started before the subscription was deleted', async () => {
    const raw = await connect('finish-2');
    await subscribe(raw, [['finish2/a', 2]]);
    const publisher = await connect('finish-2-publisher');
    publisher.send(publishPacket('finish2/a', 'x', { qos: 2, packetId: 1 }));
    const delivered = await raw.next('publish');
    await unsubscribe(raw, ['finish2/a'], { packetId: 2 });
    raw.send({ type: 'pubrec', packetId: delivered.packetId! });
    expect(await raw.next('pubrel')).toEqual({ type: 'pubrel', packetId: delivered.packetId });
    raw.send({ type: 'pubcomp', packetId: delivered.packetId! });
    await fence(raw);
    expect(publishes(raw)).toHaveLength(1);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.10.4-3] still re-delivers an unacknowledged QoS 1 message after the subscription was deleted', async () => {
    const clientId = uniqueId('c311b-3.10-finish-1');
    const first = await rawClient(running.port, 4, clientId, { clean: false });
    await subscribe(first, [['finish1/a', 1]]);
    const publisher = await connect('finish-1-publisher');
    publisher.send(publishPacket('finish1/a', 'x', { qos: 1, packetId: 1 }));
    const delivered = await first.next('publish');
    await unsubscribe(first, ['finish1/a'], { packetId: 2 });
    first.socket.destroy();
    await first.closed;
    const second = await rawClient(running.port, 4, clientId, { clean: false });
    const again = await second.next('publish');
    expect([again.topic, again.packetId, again.dup]).toEqual(['finish1/a', delivered.packetId, true]);
    second.send({ type: 'puback', packetId: again.packetId! });
    await leave(second);
    await leave(publisher);
  });

  it('[MQTT-3.10.4-4] answers UNSUBSCRIBE with an UNSUBACK carrying its packet identifier', async () => {
    const raw = await connect('unsuback');
    await subscribe(raw, [['unsuback/a', 0]]);
    raw.send(frame(0xa2, [0xca, 0xfe, ...mqttString('unsuback/a')]));
    await raw.next('unsuback');
    // CONNACK, SUBACK, then UNSUBACK: type 11, flags 0, remaining length 2, the packet id.
    expect(raw.received().subarray(connackLength + 5)).toEqual(Buffer.from([0xb0, 2, 0xca, 0xfe]));
    await leave(raw);
  });

  it('[MQTT-3.10.4-5] sends UNSUBACK even when no subscription matched', async () => {
    const raw = await connect('nothing');
    expect(await unsubscribe(raw, ['nothing/a', 'nothing/#'], { packetId: 0x0102 })).toEqual({
      type: 'unsuback',
      packetId: 0x0102,
      reasonCodes: [],
    });
    await leave(raw);
  });

  it('[MQTT-3.10.4-6] handles an UNSUBSCRIBE with several filters like one per filter, answered by one UNSUBACK', async () => {
    const raw = await connect('several');
    await subscribe(raw, [
      ['several/a', 0],
      ['several/b', 0],
      ['several/c', 0],
    ]);
    await unsubscribe(raw, ['several/a', 'several/missing', 'several/c'], { packetId: 2 });
    await fence(raw);
    expect(raw.packets.filter((packet) => packet.type === 'unsuback')).toHaveLength(1);
    const publisher = await connect('several-publisher');
    publisher.send(publishPacket('several/a', 'a'));
    publisher.send(publishPacket('several/c', 'c'));
    publisher.send(publishPacket('several/b', 'b'));
    await raw.next('publish');
    expect(payloads(raw)).toEqual(['b']);
    await leave(raw);
    await leave(publisher);
  });
});
