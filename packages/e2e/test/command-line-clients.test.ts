// Round trips through the broker with clients written by others: mosquitto_pub/mosquitto_sub and
// Python paho, each as MQTT 3.1.1 and 5.0, with MQTT.js on the other end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowAll } from '@mqttkit/auth';
import { inbox } from './support/inbox.js';
import { run, systemPython } from './support/run.js';
import { startBroker } from './support/start-broker.js';
import type { RunningBroker } from './support/start-broker.js';
import { watchSubscriptions } from './support/watch-subscriptions.js';

const watcher = watchSubscriptions();
let running: RunningBroker;
beforeAll(async () => {
  running = await startBroker({ hooks: [allowAll({ logger: { warn: () => {} } }), watcher.hook] });
});
afterAll(async () => {
  await running.stop();
  expect(running.errors).toEqual([]);
});

const versions = [
  ['mqttv311', 4],
  ['5', 5],
] as const;

describe('mosquitto clients', () => {
  for (const [flag, protocolVersion] of versions) {
    it(`carries a QoS 2 message from mosquitto_pub -V ${flag} to mosquitto_sub -V ${flag}`, async () => {
      const clientId = `mosq-sub-${protocolVersion}`;
      const topic = `mosquitto/${protocolVersion}/reading`;
      const format = protocolVersion === 5 ? '%t|%p|%q|%P|%C' : '%t|%p|%q';
      const subscriber = run('mosquitto_sub', [
        '-h',
        '127.0.0.1',
        '-p',
        String(running.port),
        '-V',
        flag,
        '-i',
        clientId,
        '-t',
        'mosquitto/+/reading',
        '-q',
        '2',
        '-C',
        '1',
        '-W',
        '10',
        '-F',
        format,
      ]);
      await watcher.subscribed(clientId);
      const args = [
        '-h',
        '127.0.0.1',
        '-p',
        String(running.port),
        '-V',
        flag,
        '-t',
        topic,
        '-m',
        'temperature=21',
        '-q',
        '2',
      ];
      if (protocolVersion === 5)
        args.push(
          '-D',
          'publish',
          'user-property',
          'site',
          'berlin',
          '-D',
          'publish',
          'content-type',
          'text/plain',
        );
      const published = await run('mosquitto_pub', args);
      expect(published.stderr).toBe('');
      expect(published.code).toBe(0);
      const result = await subscriber;
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe(
        protocolVersion === 5
          ? `${topic}|temperature=21|2|site:berlin|text/plain`
          : `${topic}|temperature=21|2`,
      );
    });

    it(`delivers retained messages to mosquitto_sub -V ${flag} and MQTT.js publishes reach it`, async () => {
      const clientId = `mosq-retained-${protocolVersion}`;
      const publisher = await running.client({ protocolVersion });
      await publisher.publishAsync(`board/${protocolVersion}/notice`, 'retained notice', {
        qos: 1,
        retain: true,
      });
      const subscriber = run('mosquitto_sub', [
        '-h',
        '127.0.0.1',
        '-p',
        String(running.port),
        '-V',
        flag,
        '-i',
        clientId,
        '-t',
        `board/${protocolVersion}/#`,
        '-q',
        '1',
        '-C',
        '2',
        '-W',
        '10',
        '-F',
        '%t|%p|%r',
      ]);
      await watcher.subscribed(clientId);
      await publisher.publishAsync(`board/${protocolVersion}/live`, 'live message', { qos: 1 });
      const result = await subscriber;
      expect(result.stderr).toBe('');
      expect(result.stdout.trim().split('\n')).toEqual([
        `board/${protocolVersion}/notice|retained notice|1`,
        `board/${protocolVersion}/live|live message|0`,
      ]);
    });

    it(`delivers a message from mosquitto_pub -V ${flag} to MQTT.js`, async () => {
      const subscriber = await running.client({ protocolVersion: 5 });
      const received = inbox(subscriber);
      await subscriber.subscribeAsync(`from-mosquitto/${protocolVersion}`, { qos: 1 });
      const published = await run('mosquitto_pub', [
        '-h',
        '127.0.0.1',
        '-p',
        String(running.port),
        '-V',
        flag,
        '-t',
        `from-mosquitto/${protocolVersion}`,
        '-m',
        'hello',
        '-q',
        '1',
      ]);
      expect(published.code).toBe(0);
      const [message] = await received.next(1);
      expect([message!.payload, message!.packet.qos]).toEqual(['hello', 1]);
    });
  }
});

describe('Python paho', () => {
  const script = (protocolVersion: 4 | 5, port: number): string => `
import sys, threading, paho.mqtt.client as mqtt
v5 = ${protocolVersion === 5 ? 'True' : 'False'}
client = mqtt.Client(client_id="paho-${protocolVersion}", protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311)
received = threading.Event()
def on_connect(client, userdata, flags, rc, properties=None):
    client.subscribe("paho/${protocolVersion}/#", qos=2)
def on_subscribe(client, userdata, mid, granted, properties=None):
    client.publish("paho/${protocolVersion}/echo", "from python", qos=2)
def on_message(client, userdata, message):
    print("%s|%s|%d" % (message.topic, message.payload.decode(), message.qos), flush=True)
    received.set()
client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
client.connect("127.0.0.1", ${port}, keepalive=20)
client.loop_start()
ok = received.wait(10)
client.disconnect()
client.loop_stop()
sys.exit(0 if ok else 1)
`;

  for (const protocolVersion of [4, 5] as const) {
    it(`serves a paho ${protocolVersion === 5 ? 'MQTT 5' : 'MQTT 3.1.1'} client publishing to itself at QoS 2, seen by MQTT.js too`, async () => {
      const observer = await running.client({ protocolVersion: 5 });
      const observed = inbox(observer);
      await observer.subscribeAsync(`paho/${protocolVersion}/#`, { qos: 2 });
      const result = await run(systemPython, ['-c', script(protocolVersion, running.port)]);
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe(`paho/${protocolVersion}/echo|from python|2`);
      expect(result.code).toBe(0);
      const [message] = await observed.next(1);
      expect([message!.topic, message!.payload, message!.packet.qos]).toEqual([
        `paho/${protocolVersion}/echo`,
        'from python',
        2,
      ]);
    });
  }

  it('passes MQTT 5 properties from MQTT.js to paho', async () => {
    const source = `
import sys, threading, paho.mqtt.client as mqtt
client = mqtt.Client(client_id="paho-props", protocol=mqtt.MQTTv5)
received = threading.Event()
client.on_connect = lambda c, u, f, rc, p=None: c.subscribe("props/to-paho", qos=1)
def on_message(client, userdata, message):
    p = message.properties
    print("%s|%s|%s|%s|%s" % (message.payload.decode(), p.ContentType, p.ResponseTopic, p.CorrelationData.hex(), p.UserProperty), flush=True)
    received.set()
client.on_message = on_message
client.connect("127.0.0.1", ${running.port})
client.loop_start()
ok = received.wait(10)
client.disconnect()
client.loop_stop()
sys.exit(0 if ok else 1)
`;
    const child = run(systemPython, ['-c', source]);
    await watcher.subscribed('paho-props');
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('props/to-paho', 'request', {
      qos: 1,
      properties: {
        contentType: 'text/plain',
        responseTopic: 'props/reply',
        correlationData: Buffer.from([0xca, 0xfe]),
        userProperties: { trace: 'abc' },
      },
    });
    const result = await child;
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe("request|text/plain|props/reply|cafe|[('trace', 'abc')]");
  });
});
