// MQTT 3.1.1 sections 3.1.2.5 to 3.1.2.10 and 3.1.3: the will (when it is published, when it is
// removed, its retain flag), the keep-alive timeout, and the order of the CONNECT payload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hook } from '@mqttkit/contracts';
import { frame } from '../../support/raw-connection.js';
import type { RawConnection } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import { allowEveryone, watchDisconnects } from '../support/hooks.js';
import {
  connackAccepted,
  drop,
  fence,
  leave,
  publishPacket,
  rawClient,
  sessionPresent,
  subscribe,
} from '../support/raw-client.js';

interface Credentials {
  readonly clientId: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
}

const watch = watchDisconnects();
const credentials: Credentials[] = [];
const recorder: Hook = {
  name: 'c311a-credentials',
  authenticate({ client, password }) {
    credentials.push({
      clientId: client.clientId,
      username: client.username,
      password: password === undefined ? undefined : Buffer.from(password).toString(),
    });
    return 'defer';
  },
};

const running = brokerForFile({ hooks: [watch.hook, recorder, allowEveryone()] });
let watcher: RawConnection;
let watcherSubscriptions = 0;
beforeAll(async () => {
  watcher = await rawClient(running.port, 4, 'will-watcher');
});
afterAll(async () => {
  await leave(watcher);
});

/** Subscribes the shared watcher to `topicFilter`. */
async function watchTopic(topicFilter: string): Promise<void> {
  const index = watcherSubscriptions++;
  await subscribe(watcher, [[topicFilter, 1]], { packetId: index + 1 });
}

/** `topic payload` of every PUBLISH the watcher received on topics starting with `prefix`. */
const heard = (prefix: string): string[] =>
  watcher.packets.flatMap((packet) =>
    packet.type === 'publish' && packet.topic.startsWith(prefix)
      ? [`${packet.topic} ${Buffer.from(packet.payload).toString()}`]
      : [],
  );

/** Resolves once the watcher heard `count` messages under `prefix`. */
async function heardCount(prefix: string, count: number): Promise<string[]> {
  await expect.poll(() => heard(prefix).length).toBe(count);
  return heard(prefix);
}

/** Publishes a marker and waits for the watcher to receive it: everything routed before it arrived first. */
async function marker(topic: string): Promise<void> {
  const raw = await rawClient(running.port, 4, `marker-${topic.replaceAll('/', '-')}`);
  raw.send(publishPacket(topic, 'marker', { qos: 1, packetId: 1 }));
  await raw.next('puback');
  await leave(raw);
  await expect.poll(() => heard(topic).length).toBe(1);
}

const willOf = (topic: string, payload: string, retain = false) =>
  ({ will: { topic, payload: Buffer.from(payload), qos: 1, retain } }) as const;

describe('MQTT 3.1.1 section 3.1 will and keep alive', () => {
  it('[MQTT-3.1.2-8] publishes the will when the connection closes without DISCONNECT', async () => {
    await watchTopic('will-lost/#');
    const raw = await rawClient(running.port, 4, 'will-lost', willOf('will-lost/topic', 'lost'));
    await drop(raw);
    expect(await heardCount('will-lost/', 1)).toEqual(['will-lost/topic lost']);
  });

  it('[MQTT-3.1.2-8] publishes the will when the server closes the connection for a protocol error', async () => {
    await watchTopic('will-error/#');
    const raw = await rawClient(running.port, 4, 'will-error', willOf('will-error/topic', 'broken'));
    // A PUBREL with reserved flag bits 0000.
    raw.send(frame(0x60, [0, 1]));
    await raw.closed;
    expect(raw.received()).toEqual(connackAccepted);
    expect(await heardCount('will-error/', 1)).toEqual(['will-error/topic broken']);
  });

  it('[MQTT-3.1.2-10] removes the will on DISCONNECT: it is not published when the connection then closes', async () => {
    await watchTopic('will-disconnect/#');
    const raw = await rawClient(
      running.port,
      4,
      'will-disconnect',
      willOf('will-disconnect/topic', 'unwanted'),
    );
    await leave(raw);
    await watch.gone('will-disconnect');
    await marker('will-disconnect/marker');
    expect(heard('will-disconnect/')).toEqual(['will-disconnect/marker marker']);
  });

  it('[MQTT-3.1.2-10] removes the will once published: the resumed session has none to publish again', async () => {
    await watchTopic('will-once/#');
    const first = await rawClient(running.port, 4, 'will-once', {
      clean: false,
      ...willOf('will-once/topic', 'once'),
    });
    await drop(first);
    expect(await heardCount('will-once/', 1)).toEqual(['will-once/topic once']);
    const second = await rawClient(running.port, 4, 'will-once', { clean: false });
    expect(sessionPresent(second)).toBe(true);
    await drop(second);
    await marker('will-once/marker');
    expect(heard('will-once/')).toEqual(['will-once/topic once', 'will-once/marker marker']);
    await leave(await rawClient(running.port, 4, 'will-once', { clean: true }));
  });

  it('[MQTT-3.1.2-12] publishes no will for a client with Will Flag 0 whose connection fails', async () => {
    await watchTopic('#');
    await fence(watcher);
    const before = heard('').length;
    const silent = await rawClient(running.port, 4, 'no-will');
    await drop(silent);
    await watch.gone('no-will');
    // A client with a will that fails afterwards: its will is the only message besides the marker.
    const control = await rawClient(running.port, 4, 'no-will-control', willOf('no-will/control', 'control'));
    await drop(control);
    await marker('no-will/marker');
    expect(
      heard('')
        .slice(before)
        .filter((line) => !line.startsWith('no-will/')),
    ).toEqual([]);
    expect(heard('no-will/')).toEqual(['no-will/control control', 'no-will/marker marker']);
    watcher.send({ type: 'unsubscribe', packetId: 100, topicFilters: ['#'] });
    await watcher.next('unsuback');
  });

  it('[MQTT-3.1.2-16] publishes a will with Will Retain 0 as a non-retained message: a later subscriber gets nothing', async () => {
    await watchTopic('will-plain/#');
    const raw = await rawClient(running.port, 4, 'will-plain', willOf('will-plain/topic', 'plain', false));
    await drop(raw);
    expect(await heardCount('will-plain/', 1)).toEqual(['will-plain/topic plain']);
    const late = await rawClient(running.port, 4, 'will-plain-late');
    await subscribe(late, [['will-plain/#', 1]], { packetId: 1 });
    await fence(late);
    expect(late.packets.filter((packet) => packet.type === 'publish')).toEqual([]);
    await leave(late);
  });

  it('[MQTT-3.1.2-17] publishes a will with Will Retain 1 as a retained message: a later subscriber gets it with RETAIN 1', async () => {
    await watchTopic('will-retained/#');
    const raw = await rawClient(
      running.port,
      4,
      'will-retained',
      willOf('will-retained/topic', 'kept', true),
    );
    await drop(raw);
    expect(await heardCount('will-retained/', 1)).toEqual(['will-retained/topic kept']);
    const late = await rawClient(running.port, 4, 'will-retained-late');
    await subscribe(late, [['will-retained/#', 1]], { packetId: 1 });
    const retained = await late.next('publish');
    expect([retained.topic, Buffer.from(retained.payload).toString(), retained.retain]).toEqual([
      'will-retained/topic',
      'kept',
      true,
    ]);
    late.send({ type: 'puback', packetId: retained.packetId! });
    await leave(late);
  });

  it('[MQTT-3.1.2-24] closes a client silent for one and a half keep-alive periods, sending nothing, and publishes its will as for a network failure', async () => {
    await watchTopic('will-keepalive/#');
    const raw = await rawClient(running.port, 4, 'will-keepalive', {
      keepAlive: 1,
      ...willOf('will-keepalive/topic', 'timed out'),
    });
    const connected = Date.now();
    await raw.closed;
    const waited = Date.now() - connected;
    expect(waited).toBeGreaterThanOrEqual(1400);
    expect(waited).toBeLessThan(3000);
    expect(raw.received()).toEqual(connackAccepted);
    expect(await heardCount('will-keepalive/', 1)).toEqual(['will-keepalive/topic timed out']);
  });

  it('[MQTT-3.1.3-1] reads a CONNECT payload with every field in order: ClientId, Will Topic, Will Message, User Name, Password', async () => {
    await watchTopic('will-payload/#');
    const raw = await rawClient(running.port, 4, 'payload-order', {
      ...willOf('will-payload/topic', 'will message'),
      username: 'the user',
      password: Buffer.from('the password'),
    });
    expect(credentials.find((entry) => entry.clientId === 'payload-order')).toEqual({
      clientId: 'payload-order',
      username: 'the user',
      password: 'the password',
    });
    await drop(raw);
    expect(await heardCount('will-payload/', 1)).toEqual(['will-payload/topic will message']);
  });
});
