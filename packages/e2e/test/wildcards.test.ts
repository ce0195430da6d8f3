// Topic filters with + and #, `$` topics, overlapping subscriptions and $SYS.
import { afterEach, describe, expect, it } from 'vitest';
import { inbox } from './support/inbox.js';
import { startBroker } from './support/start-broker.js';
import type { RunningBroker } from './support/start-broker.js';

let running: RunningBroker;
afterEach(async () => {
  await running.stop();
  expect(running.errors).toEqual([]);
});

describe('wildcards', () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`[MQTT-4.7.1-2] [MQTT-4.7.1-3] matches + at one level and # at the rest for MQTT ${protocolVersion === 5 ? '5.0' : '3.1.1'}`, async () => {
      running = await startBroker();
      const subscriber = await running.client({ protocolVersion });
      const publisher = await running.client({ protocolVersion });
      const plus = inbox(subscriber);
      await subscriber.subscribeAsync(['site/+/temp', 'site/+', 'alarm/#'], { qos: 1 });
      const topics = [
        'site/a/temp',
        'site/b/temp',
        'site/a/temp/extra',
        'site//temp',
        'site/a',
        'site',
        'alarm',
        'alarm/x/y/z',
        'alarms/x',
        'end',
      ];
      for (const topic of topics) await publisher.publishAsync(topic, topic, { qos: 1 });
      await subscriber.subscribeAsync('end', { qos: 1 });
      await publisher.publishAsync('end', 'end', { qos: 1 });
      await plus.on('end');
      // '#' also matches its parent level ('alarm'); '+' matches an empty level ('site//temp').
      expect(plus.messages.map((message) => message.topic)).toEqual([
        'site/a/temp',
        'site/b/temp',
        'site//temp',
        'site/a',
        'alarm',
        'alarm/x/y/z',
        'end',
      ]);
    });
  }

  it('[MQTT-4.7.2-1] does not match $ topics with filters that start with a wildcard', async () => {
    running = await startBroker();
    const wide = await running.client({ protocolVersion: 5 });
    const dollar = await running.client({ protocolVersion: 5 });
    const wideInbox = inbox(wide);
    const dollarInbox = inbox(dollar);
    await wide.subscribeAsync(['#', '+/status'], { qos: 1 });
    await dollar.subscribeAsync(['$app/#', '$app/+'], { qos: 1 });
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('$app/status', 'hidden', { qos: 1 });
    await publisher.publishAsync('app/status', 'visible', { qos: 1 });
    await wideInbox.on('app/status');
    expect((await dollarInbox.next(1)).map((message) => message.topic)).toEqual(['$app/status']);
    await publisher.publishAsync('fence', 'x', { qos: 1 });
    await wideInbox.on('fence');
    expect(wideInbox.messages.map((message) => message.topic)).toEqual(['app/status', 'fence']);
  });

  it('[MQTT-3.3.5-1] [MQTT-3.3.4-2] [MQTT-3.3.4-4] delivers one copy at the highest QoS for overlapping subscriptions, with all their identifiers', async () => {
    running = await startBroker();
    const subscriber = await running.client({ protocolVersion: 5 });
    const received = inbox(subscriber);
    await subscriber.subscribeAsync('overlap/#', { qos: 0, properties: { subscriptionIdentifier: 1 } });
    await subscriber.subscribeAsync('overlap/+', { qos: 2, properties: { subscriptionIdentifier: 2 } });
    const publisher = await running.client({ protocolVersion: 4 });
    await publisher.publishAsync('overlap/x', 'once', { qos: 2 });
    await publisher.publishAsync('overlap/x/y', 'deep', { qos: 2 });
    const [first, second] = await received.next(2);
    expect(first!.packet.qos).toBe(2);
    expect(([first!.packet.properties?.subscriptionIdentifier].flat() as number[]).sort()).toEqual([1, 2]);
    expect([second!.topic, second!.packet.qos, second!.packet.properties?.subscriptionIdentifier]).toEqual([
      'overlap/x/y',
      0,
      1,
    ]);
    expect(received.messages).toHaveLength(2);
  });

  it('[MQTT-3.10.4-1] stops delivering after UNSUBSCRIBE of the same filter string', async () => {
    running = await startBroker();
    const subscriber = await running.client({ protocolVersion: 5 });
    const received = inbox(subscriber);
    await subscriber.subscribeAsync(['gone/+', 'kept/#'], { qos: 1 });
    await subscriber.unsubscribeAsync('gone/+');
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('gone/a', 'x', { qos: 1 });
    await publisher.publishAsync('kept/a', 'y', { qos: 1 });
    expect((await received.next(1)).map((message) => message.topic)).toEqual(['kept/a']);
    expect(received.messages).toHaveLength(1);
  });
});

describe('$SYS', () => {
  it('[MQTT-4.7.2-1] publishes the broker state as retained $SYS/broker topics, updated each interval and not matched by #', async () => {
    running = await startBroker({ capabilities: { sysInterval: 1 } });
    const everything = await running.client({ protocolVersion: 4 });
    const everythingInbox = inbox(everything);
    await everything.subscribeAsync('#', { qos: 0 });
    const system = await running.client({ protocolVersion: 4 });
    const systemInbox = inbox(system);
    await system.subscribeAsync('$SYS/#', { qos: 0 });
    const version = await systemInbox.on('$SYS/broker/version');
    expect(version.packet.retain).toBe(true);
    await systemInbox.on('$SYS/broker/uptime');
    const topics = systemInbox.messages.map((message) => message.topic);
    expect(topics).toEqual(
      expect.arrayContaining(['$SYS/broker/clients/connected', '$SYS/broker/subscriptions/count']),
    );
    // The next update (one interval later) counts both clients.
    await expect
      .poll(
        () =>
          systemInbox.messages.some(
            (message) => message.topic === '$SYS/broker/clients/connected' && message.payload === '2',
          ),
        { timeout: 3000 },
      )
      .toBe(true);
    // Clients cannot publish into $SYS: the message is dropped.
    await system.subscribeAsync('fence', { qos: 1 });
    await everything.publishAsync('$SYS/broker/version', 'forged', { qos: 1 });
    await everything.publishAsync('fence', 'x', { qos: 1 });
    await everythingInbox.on('fence');
    await systemInbox.on('fence');
    expect(everythingInbox.messages.filter((message) => message.topic.startsWith('$'))).toEqual([]);
    expect(systemInbox.messages.filter((message) => message.payload === 'forged')).toEqual([]);
  });
});
