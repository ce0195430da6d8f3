// `pnpm bench`: the cost per message of the QoS 0, 1 and 2 flows through the state machine, both
// directions. Each iteration runs `batch` messages; after the run, one line per flow prints the
// nanoseconds per message (targets: QoS 0 under 1 µs, QoS 1 round trip under 3 µs).
import type { Connect, Publish } from '@mqttkit/codec';
import { afterAll, bench, describe } from 'vitest';
import { Session } from '@mqttkit/session';
import type { ApplicationMessage, Delivery } from '@mqttkit/session';

const batch = 1000;
const options = { time: 1_000, warmupTime: 300 };
const payload = new Uint8Array(64);
const message: ApplicationMessage = { topic: 'sensors/room-1/temperature', payload, qos: 2, retain: false };
const delivery = (qos: 0 | 1 | 2): Delivery => ({ message, qos, retain: false });
const totals = new Map<string, { nanoseconds: number; messages: number }>();

function connected(sessionExpiryInterval = 0): Session {
  const session = new Session({ clientId: 'bench' });
  const connect: Connect = {
    type: 'connect',
    protocolVersion: 5,
    clean: true,
    keepAlive: 60,
    clientId: 'bench',
    properties: { sessionExpiryInterval, receiveMaximum: 65_535 },
  };
  session.connect(connect, 0);
  return session;
}

/** Runs `flow` for a batch and records the time, so the summary can print ns per message. */
function measured(name: string, flow: (index: number) => void): () => void {
  return () => {
    const started = process.hrtime.bigint();
    for (let index = 0; index < batch; index++) flow(index);
    const total = totals.get(name) ?? { nanoseconds: 0, messages: 0 };
    total.nanoseconds += Number(process.hrtime.bigint() - started);
    total.messages += batch;
    totals.set(name, total);
  };
}

function inbound(qos: 0 | 1 | 2, packetId: number): Publish {
  return {
    type: 'publish',
    topic: message.topic,
    payload,
    qos,
    retain: false,
    dup: false,
    ...(qos > 0 ? { packetId } : {}),
  };
}

describe('outbound (router → client)', () => {
  const session = connected();
  const persistent = connected(3600);
  bench(
    'QoS 0 publish',
    measured('outbound QoS 0 publish', () => session.publish(delivery(0), 1)),
    options,
  );
  bench(
    'QoS 1 publish + PUBACK',
    measured('outbound QoS 1 publish + PUBACK', () => {
      const [send] = session.publish(delivery(1), 1);
      const packetId =
        send?.type === 'send' && send.packet.type === 'publish' ? (send.packet.packetId ?? 0) : 0;
      session.receive({ type: 'puback', packetId }, 1);
    }),
    options,
  );
  bench(
    'QoS 1 publish + PUBACK, persistent session',
    measured('outbound QoS 1 publish + PUBACK, persistent', () => {
      const actions = persistent.publish(delivery(1), 1);
      const send = actions[actions.length - 1];
      const packetId =
        send?.type === 'send' && send.packet.type === 'publish' ? (send.packet.packetId ?? 0) : 0;
      persistent.receive({ type: 'puback', packetId }, 1);
    }),
    options,
  );
  bench(
    'QoS 2 publish + PUBREC + PUBCOMP',
    measured('outbound QoS 2 publish + PUBREC + PUBCOMP', () => {
      const [send] = session.publish(delivery(2), 1);
      const packetId =
        send?.type === 'send' && send.packet.type === 'publish' ? (send.packet.packetId ?? 0) : 0;
      session.receive({ type: 'pubrec', packetId }, 1);
      session.receive({ type: 'pubcomp', packetId }, 1);
    }),
    options,
  );
});

describe('inbound (client → router)', () => {
  const session = connected();
  const qos0 = inbound(0, 0);
  const qos1 = inbound(1, 1);
  const qos2 = inbound(2, 1);
  bench(
    'QoS 0 PUBLISH',
    measured('inbound QoS 0 PUBLISH', () => session.receive(qos0, 1)),
    options,
  );
  bench(
    'QoS 1 PUBLISH (→ PUBACK)',
    measured('inbound QoS 1 PUBLISH', () => session.receive(qos1, 1)),
    options,
  );
  bench(
    'QoS 2 PUBLISH + PUBREL',
    measured('inbound QoS 2 PUBLISH + PUBREL', () => {
      session.receive(qos2, 1);
      session.receive({ type: 'pubrel', packetId: 1 }, 1);
    }),
    options,
  );
});

afterAll(() => {
  const lines = [...totals].map(
    ([name, total]) =>
      `  ${name.padEnd(50)} ${(total.nanoseconds / total.messages).toFixed(0).padStart(6)} ns/message`,
  );
  console.log(
    `\n@mqttkit/session, Node ${process.version}, ${process.platform} ${process.arch}\n${lines.join('\n')}\n`,
  );
});
