// Retained messages: set, replace, clear, Retain Handling 0/1/2 and Retain As Published.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type mqtt from 'mqtt';
import { inbox } from './support/inbox.js';
import type { Inbox } from './support/inbox.js';
import { startBroker } from './support/start-broker.js';
import type { RunningBroker } from './support/start-broker.js';

let running: RunningBroker;
beforeEach(async () => {
  running = await startBroker();
});
afterEach(async () => {
  await running.stop();
  expect(running.errors).toEqual([]);
});

/** Publishes a non-retained marker on `topic` and waits for it: everything sent before it has arrived. */
async function fence(publisher: mqtt.MqttClient, received: Inbox, topic: string): Promise<void> {
  await publisher.publishAsync(topic, 'fence', { qos: 1 });
  await received.on(topic);
}

describe('retained messages', () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`[MQTT-3.3.1-5] [MQTT-3.3.1-8] stores, replaces and sends retained messages with RETAIN set (MQTT ${protocolVersion === 5 ? '5.0' : '3.1.1'})`, async () => {
      const publisher = await running.client({ protocolVersion });
      await publisher.publishAsync('rooms/kitchen', 'cold', { qos: 1, retain: true });
      await publisher.publishAsync('rooms/kitchen', 'warm', { qos: 2, retain: true });
      await publisher.publishAsync('rooms/hall', 'dark', { qos: 0, retain: true });
      // RETAIN=0 neither stores nor disturbs the retained message.
      await publisher.publishAsync('rooms/kitchen', 'not retained', { qos: 1, retain: false });
      const subscriber = await running.client({ protocolVersion });
      const received = inbox(subscriber);
      await subscriber.subscribeAsync('rooms/+', { qos: 2 });
      const retained = await received.next(2);
      expect(
        retained
          .map((message) => [message.topic, message.payload, message.packet.retain, message.packet.qos])
          .sort(),
      ).toEqual([
        ['rooms/hall', 'dark', true, 0],
        ['rooms/kitchen', 'warm', true, 2],
      ]);
      await fence(publisher, received, 'rooms/fence');
      expect(received.messages).toHaveLength(3);
    });

    it(`[MQTT-3.3.1-6] [MQTT-3.3.1-7] clears a retained message with an empty retained payload, which is still delivered (MQTT ${protocolVersion === 5 ? '5.0' : '3.1.1'})`, async () => {
      const publisher = await running.client({ protocolVersion });
      await publisher.publishAsync('lamp/state', 'on', { qos: 1, retain: true });
      const live = await running.client({ protocolVersion });
      const liveInbox = inbox(live);
      await live.subscribeAsync('lamp/#', { qos: 1 });
      await liveInbox.next(1);
      await publisher.publishAsync('lamp/state', '', { qos: 1, retain: true });
      const [, cleared] = await liveInbox.next(2);
      expect([cleared!.topic, cleared!.payload]).toEqual(['lamp/state', '']);
      const late = await running.client({ protocolVersion });
      const lateInbox = inbox(late);
      await late.subscribeAsync('lamp/#', { qos: 1 });
      await fence(publisher, lateInbox, 'lamp/fence');
      expect(lateInbox.messages.map((message) => message.topic)).toEqual(['lamp/fence']);
    });
  }

  it('[MQTT-3.3.1-9] [MQTT-3.3.1-12] forwards live messages with RETAIN=0 to 3.1.1 subscribers and to MQTT 5 subscribers without Retain As Published', async () => {
    const old = await running.client({ protocolVersion: 4 });
    const modern = await running.client({ protocolVersion: 5 });
    const oldInbox = inbox(old);
    const modernInbox = inbox(modern);
    await old.subscribeAsync('live/#', { qos: 1 });
    await modern.subscribeAsync('live/#', { qos: 1, rap: false });
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('live/value', '1', { qos: 1, retain: true });
    expect((await oldInbox.next(1))[0]!.packet.retain).toBe(false);
    expect((await modernInbox.next(1))[0]!.packet.retain).toBe(false);
  });

  it('[MQTT-3.3.1-13] keeps the publisher’s RETAIN flag with Retain As Published', async () => {
    const subscriber = await running.client({ protocolVersion: 5 });
    const received = inbox(subscriber);
    await subscriber.subscribeAsync('rap/#', { qos: 1, rap: true });
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('rap/a', 'retained', { qos: 1, retain: true });
    await publisher.publishAsync('rap/b', 'plain', { qos: 1, retain: false });
    expect((await received.next(2)).map((message) => [message.topic, message.packet.retain])).toEqual([
      ['rap/a', true],
      ['rap/b', false],
    ]);
  });

  it('[MQTT-3.3.1-9] [MQTT-3.3.1-10] [MQTT-3.3.1-11] sends retained messages per Retain Handling 0, 1 and 2', async () => {
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('handling/x', 'kept', { qos: 1, retain: true });
    const subscriber = await running.client({ protocolVersion: 5 });
    const received = inbox(subscriber);
    const retainedCount = (): number => received.messages.filter((message) => message.packet.retain).length;

    // 0: on every SUBSCRIBE, also when it replaces an existing subscription [MQTT-3.8.4-4].
    await subscriber.subscribeAsync('handling/+', { qos: 1, rh: 0 });
    await subscriber.subscribeAsync('handling/+', { qos: 1, rh: 0 });
    await received.next(2);
    // 1: only when the subscription did not exist yet.
    await subscriber.subscribeAsync('handling/#', { qos: 1, rh: 1 });
    await received.next(3);
    await subscriber.subscribeAsync('handling/#', { qos: 1, rh: 1 });
    // 2: never.
    await subscriber.subscribeAsync('+/x', { qos: 1, rh: 2 });
    await fence(publisher, received, 'handling/fence');
    expect(retainedCount()).toBe(3);
  });

  it('[MQTT-3.1.2-7] keeps retained messages after the publisher’s session ended', async () => {
    const publisher = await running.client({ protocolVersion: 4, clientId: 'short-lived', clean: true });
    await publisher.publishAsync('memory/value', '42', { qos: 1, retain: true });
    await publisher.endAsync();
    const subscriber = await running.client({ protocolVersion: 4 });
    const received = inbox(subscriber);
    await subscriber.subscribeAsync('memory/value', { qos: 1 });
    expect((await received.next(1))[0]!.payload).toBe('42');
  });
});
