// MQTT 5.0 section 4.8: the $share/{ShareName}/{filter} syntax, the QoS granted to each member,
// and what becomes of a QoS 1 or 2 delivery the chosen member did not complete.
import { describe, expect, it } from 'vitest';
import { ReasonCode } from '@mqttkit/codec';
import type { QoS } from '@mqttkit/codec';
import { brokerTimer } from '../../support/broker-timer.js';
import type { RawConnection } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import { drop, fence, leave, publishes, rawClient, subscribe } from '../support/raw-client.js';

const running = brokerForFile();

async function codesFor(clientId: string, filter: string, qos: QoS = 1): Promise<number[]> {
  const raw = await rawClient(running.port, 5, clientId);
  const codes = (await subscribe(raw, [[filter, qos]])).reasonCodes;
  await leave(raw);
  return codes;
}

/**
 * Proves `raw` got nothing from the group: it also holds an ordinary subscription to `marker`,
 * and a message published there after the fact arrives behind anything the broker sent before.
 */
async function onlyMarker(raw: RawConnection, marker: string): Promise<void> {
  const publisher = await running.client({ protocolVersion: 5 });
  await publisher.publishAsync(marker, 'marker', { qos: 0 });
  await raw.next('publish');
  expect(publishes(raw).map((packet) => packet.topic)).toEqual([marker]);
}

/** A group member with an ordinary subscription to `marker` as well. */
async function member(clientId: string, group: string, marker: string): Promise<RawConnection> {
  const raw = await rawClient(running.port, 5, clientId);
  await subscribe(raw, [[marker, 0]]);
  expect((await subscribe(raw, [[group, 2]])).reasonCodes).toEqual([2]);
  return raw;
}

describe('4.8 shared subscriptions', () => {
  it('[MQTT-4.8.2-1] refuses $share/ followed by an empty ShareName (SUBACK 0x8F) and accepts a one-character ShareName', async () => {
    expect(await codesFor('share-empty', '$share//topic')).toEqual([ReasonCode.TopicFilterInvalid]);
    expect(await codesFor('share-one', '$share/g/topic')).toEqual([1]);
  });

  it('[MQTT-4.8.2-2] refuses a ShareName holding + or #, or not followed by / and a topic filter (SUBACK 0x8F)', async () => {
    for (const filter of [
      '$share/a+/topic',
      '$share/+/topic',
      '$share/a#/topic',
      '$share/#',
      '$share/group',
      '$share/group/',
    ])
      expect(await codesFor('share-bad', filter)).toEqual([ReasonCode.TopicFilterInvalid]);
    expect(await codesFor('share-good', '$share/group/+/x/#')).toEqual([1]);
  });

  it('[MQTT-4.8.2-3] delivers to each member at the QoS granted to that member', async () => {
    const atZero = await rawClient(running.port, 5, 'granted-0');
    const atTwo = await rawClient(running.port, 5, 'granted-2');
    expect((await subscribe(atZero, [['$share/only0/granted', 0]])).reasonCodes).toEqual([0]);
    expect((await subscribe(atTwo, [['$share/only2/granted', 2]])).reasonCodes).toEqual([2]);
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('granted', 'q1', { qos: 1 });
    await publisher.publishAsync('granted', 'q2', { qos: 2 });
    await atZero.next('publish', 1);
    await atTwo.next('publish', 1);
    expect(publishes(atZero).map((packet) => packet.qos)).toEqual([0, 0]);
    expect(publishes(atTwo).map((packet) => packet.qos)).toEqual([1, 2]);
    await leave(atZero);
    await leave(atTwo);
  });

  it('[MQTT-4.8.2-4] completes a QoS 2 delivery cut off by a broken connection to the same member when it reconnects, not to another', async () => {
    const properties = { sessionExpiryInterval: 60 };
    const first = await rawClient(running.port, 5, 'cut-off', { properties });
    await subscribe(first, [['$share/cut/jobs', 2]]);
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('jobs', 'job-1', { qos: 2 });
    const original = await first.next('publish');
    const other = await member('cut-other', '$share/cut/jobs', 'cut/marker');
    await drop(first);
    await onlyMarker(other, 'cut/marker');
    const again = await rawClient(running.port, 5, 'cut-off', { clean: false, properties });
    const resent = await again.next('publish');
    expect([resent.topic, resent.packetId, resent.qos, resent.dup]).toEqual([
      'jobs',
      original.packetId,
      2,
      true,
    ]);
    again.send({ type: 'pubrec', packetId: resent.packetId! });
    again.send({ type: 'pubcomp', packetId: (await again.next('pubrel')).packetId });
    await fence(again);
    await fence(other);
    expect(publishes(other).map((packet) => packet.topic)).toEqual(['cut/marker']);
    await leave(again);
    await leave(other);
  });

  it('[MQTT-4.8.2-5] sends a cut-off QoS 2 delivery to no other member once the chosen member’s session has ended', async () => {
    const first = await rawClient(running.port, 5, 'ended', { properties: { sessionExpiryInterval: 1 } });
    await subscribe(first, [['$share/ended/jobs2', 2]]);
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('jobs2', 'job-1', { qos: 2 });
    await first.next('publish');
    const other = await member('ended-other', '$share/ended/jobs2', 'ended/marker');
    await drop(first);
    await brokerTimer(running, 1);
    await onlyMarker(other, 'ended/marker');
    const back = await rawClient(running.port, 5, 'ended', { clean: false });
    await fence(back);
    expect(publishes(back)).toEqual([]);
    await leave(back);
    await leave(other);
  });

  it('[MQTT-4.8.2-6] discards a message a member refused with PUBACK or PUBREC 0x80 or above instead of offering it to another member', async () => {
    const first = await rawClient(running.port, 5, 'refusing-member');
    await subscribe(first, [['$share/refuse/work', 2]]);
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('work', 'qos1', { qos: 1 });
    await publisher.publishAsync('work', 'qos2', { qos: 2 });
    await first.next('publish', 1);
    const other = await member('refuse-other', '$share/refuse/work', 'refuse/marker');
    const [qos1, qos2] = publishes(first);
    first.send({ type: 'puback', packetId: qos1!.packetId!, reasonCode: ReasonCode.UnspecifiedError });
    first.send({
      type: 'pubrec',
      packetId: qos2!.packetId!,
      reasonCode: ReasonCode.ImplementationSpecificError,
    });
    await fence(first);
    await onlyMarker(other, 'refuse/marker');
    await leave(first);
    await leave(other);
  });
});
