// Real clients against the codec: what they send must decode to the packets they meant, and
// what the codec encodes must be accepted by them (they close the connection on anything else).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { Connect, Packet, Publish, Subscribe } from '@mqttkit/codec';
import { startResponder } from './support/codec-responder.js';
import type { Responder } from './support/codec-responder.js';
import { run, systemPython } from './support/run.js';

const isConnect = (packet: Packet): packet is Connect => packet.type === 'connect';
const isPublishTo =
  (topic: string) =>
  (packet: Packet): packet is Publish =>
    packet.type === 'publish' && packet.topic === topic;
const isSubscribe = (packet: Packet): packet is Subscribe => packet.type === 'subscribe';
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString();

let responder: Responder;
beforeEach(async () => {
  responder = await startResponder();
});
afterEach(async () => {
  expect(responder.errors).toEqual([]);
  await responder.close();
});

describe('codec with MQTT.js', () => {
  it('reads an MQTT 3.1.1 CONNECT with credentials and will, and serves QoS 0, 1 and 2 both ways', async () => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${responder.port}`, {
      protocolVersion: 4,
      clientId: 'mqttjs-311',
      username: 'alice',
      password: 'secret',
      keepalive: 30,
      will: { topic: 'status/mqttjs-311', payload: Buffer.from('gone'), qos: 1, retain: true },
      reconnectPeriod: 0,
    });
    const connect = await responder.waitFor(isConnect);
    expect(connect).toMatchObject({
      protocolVersion: 4,
      clientId: 'mqttjs-311',
      clean: true,
      keepAlive: 30,
      username: 'alice',
    });
    expect(text(connect.password!)).toBe('secret');
    expect(connect.will).toMatchObject({ topic: 'status/mqttjs-311', qos: 1, retain: true });
    expect(text(connect.will!.payload)).toBe('gone');

    await client.subscribeAsync('sensors/#', { qos: 2 });
    const received: { topic: string; payload: string; qos: number }[] = [];
    client.on('message', (topic, payload, packet) =>
      received.push({ topic, payload: payload.toString(), qos: packet.qos }),
    );
    for (const qos of [0, 1, 2] as const)
      await client.publishAsync(`sensors/q${qos}`, `value ${qos}`, { qos });
    await expect.poll(() => received.length).toBe(3);
    expect(received).toEqual([
      { topic: 'sensors/q0', payload: 'value 0', qos: 0 },
      { topic: 'sensors/q1', payload: 'value 1', qos: 1 },
      { topic: 'sensors/q2', payload: 'value 2', qos: 2 },
    ]);
    await client.endAsync();
  });

  it('reads MQTT 5 CONNECT and PUBLISH properties, and MQTT.js reads the ones the codec writes', async () => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${responder.port}`, {
      protocolVersion: 5,
      clientId: 'mqttjs-5',
      reconnectPeriod: 0,
      properties: {
        sessionExpiryInterval: 120,
        receiveMaximum: 20,
        topicAliasMaximum: 5,
        userProperties: { app: 'e2e' },
      },
    });
    const connect = await responder.waitFor(isConnect);
    expect(connect).toMatchObject({
      protocolVersion: 5,
      properties: {
        sessionExpiryInterval: 120,
        receiveMaximum: 20,
        topicAliasMaximum: 5,
        userProperties: [['app', 'e2e']],
      },
    });

    await client.subscribeAsync('rpc/#', { qos: 1, properties: { subscriptionIdentifier: 42 } });
    const message = new Promise<mqtt.IPublishPacket>((resolve) =>
      client.once('message', (_topic, _payload, packet) => resolve(packet)),
    );
    await client.publishAsync('rpc/request', '{"n":1}', {
      qos: 1,
      properties: {
        payloadFormatIndicator: true,
        messageExpiryInterval: 30,
        contentType: 'application/json',
        responseTopic: 'rpc/response',
        correlationData: Buffer.from([1, 2, 3]),
        userProperties: { trace: ['a', 'b'] },
      },
    });
    const published = await responder.waitFor(isPublishTo('rpc/request'));
    expect(published).toMatchObject({
      qos: 1,
      properties: {
        payloadFormatIndicator: 1,
        messageExpiryInterval: 30,
        contentType: 'application/json',
        responseTopic: 'rpc/response',
        userProperties: [
          ['trace', 'a'],
          ['trace', 'b'],
        ],
      },
    });
    expect([...published.properties!.correlationData!]).toEqual([1, 2, 3]);

    const packet = await message;
    expect(packet.payload.toString()).toBe('{"n":1}');
    expect(packet.properties).toMatchObject({
      payloadFormatIndicator: true,
      contentType: 'application/json',
      responseTopic: 'rpc/response',
      subscriptionIdentifier: 42,
      userProperties: { trace: ['a', 'b'] },
    });
    await client.endAsync();
  });
});

describe('codec with mosquitto clients', () => {
  for (const [version, level] of [
    ['mqttv311', 4],
    ['5', 5],
  ] as const) {
    it(`reads what mosquitto_pub -V ${version} sends at QoS 2`, async () => {
      const args = ['-h', '127.0.0.1', '-p', String(responder.port), '-V', version, '-i', `mosq-${level}`];
      args.push('-t', 'plant/line1', '-m', 'temperature=21', '-q', '2');
      if (level === 5)
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
      const result = await run('mosquitto_pub', args);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const connect = await responder.waitFor(isConnect);
      expect(connect).toMatchObject({ protocolVersion: level, clientId: `mosq-${level}` });
      const published = await responder.waitFor(isPublishTo('plant/line1'));
      expect(published.qos).toBe(2);
      expect(text(published.payload)).toBe('temperature=21');
      if (level === 5) {
        expect(published.properties).toMatchObject({
          userProperties: [['site', 'berlin']],
          contentType: 'text/plain',
        });
      }
    });

    it(`writes a PUBLISH that mosquitto_sub -V ${version} prints`, async () => {
      const args = [
        '-h',
        '127.0.0.1',
        '-p',
        String(responder.port),
        '-V',
        version,
        '-t',
        'alerts/#',
        '-q',
        '1',
      ];
      args.push('-C', '1', '-W', '10', '-F', level === 5 ? '%t|%p|%P' : '%t|%p');
      const subscriber = run('mosquitto_sub', args);
      await responder.waitFor(isSubscribe);
      responder.publish({
        topic: 'alerts/fire',
        payload: Buffer.from('evacuate'),
        qos: 1,
        retain: false,
        ...(level === 5
          ? { properties: { userProperties: [['severity', 'high']] as [string, string][] } }
          : {}),
      });
      const result = await subscriber;
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe(
        level === 5 ? 'alerts/fire|evacuate|severity:high' : 'alerts/fire|evacuate',
      );
    });
  }
});

describe('codec with Python paho', () => {
  const script = (level: 4 | 5, port: number): string => `
import sys, paho.mqtt.client as mqtt
v5 = ${level === 5 ? 'True' : 'False'}
client = mqtt.Client(client_id="paho-${level}", protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311)
done = []
def on_message(client, userdata, message):
    print("%s|%s|%d" % (message.topic, message.payload.decode(), message.qos), flush=True)
    done.append(1)
client.on_message = on_message
client.connect("127.0.0.1", ${port}, keepalive=20)
client.loop_start()
result, mid = client.subscribe("paho/#", qos=2)
import time
deadline = time.time() + 10
while not client.is_connected() and time.time() < deadline: time.sleep(0.01)
info = client.publish("paho/echo", "from python", qos=2)
info.wait_for_publish(10)
while not done and time.time() < deadline: time.sleep(0.01)
client.disconnect()
client.loop_stop()
sys.exit(0 if done else 1)
`;

  for (const level of [4, 5] as const) {
    it(`serves a paho ${level === 5 ? 'MQTT 5' : 'MQTT 3.1.1'} client publishing and receiving at QoS 2`, async () => {
      const result = await run(systemPython, ['-c', script(level, responder.port)]);
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe('paho/echo|from python|2');
      expect(result.code).toBe(0);
      const connect = await responder.waitFor(isConnect);
      expect(connect).toMatchObject({ protocolVersion: level, clientId: `paho-${level}`, keepAlive: 20 });
    });
  }
});
