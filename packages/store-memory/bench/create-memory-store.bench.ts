import type { StoredMessage, StoredSessionChange } from '@mqttkit/contracts';
import { bench, describe } from 'vitest';
import { createMemoryStore } from '../src/index.js';

const message: StoredMessage = {
  topic: 'devices/42/state',
  payload: new Uint8Array(64),
  qos: 1,
  retain: false,
};
const store = createMemoryStore();
await store.applySessionChanges('client-a', [
  { kind: 'session', clientId: 'client-a', protocolVersion: 5, sessionExpiryInterval: 60 },
]);
let sequence = 0;

const large = createMemoryStore();
const records: StoredSessionChange[] = [
  { kind: 'session', clientId: 'client-b', protocolVersion: 5, sessionExpiryInterval: 60 },
];
for (let index = 1; index <= 1000; index += 1) {
  records.push({
    kind: 'outbound-added',
    record: { sequence: index, message, qos: 1, retain: false, bytes: 80, phase: 'queued' },
  });
}
await large.applySessionChanges('client-b', records);

function flow(): StoredSessionChange[] {
  sequence += 1;
  const packetId = (sequence % 65_535) + 1;
  return [
    {
      kind: 'outbound-added',
      record: { sequence, message, qos: 1, retain: false, bytes: 80, phase: 'publish', packetId },
    },
    { kind: 'outbound-removed', sequence },
  ];
}

describe('memory store', () => {
  bench('QoS 1 message through one session (added + removed)', async () => {
    await store.applySessionChanges('client-a', flow());
  });

  bench('setRetained on 1,000 rotating topics', async () => {
    sequence += 1;
    await store.setRetained({ ...message, topic: `retained/${String(sequence % 1000)}`, retain: true });
  });

  bench('getSession with 1,000 queued messages', async () => {
    await large.getSession('client-b');
  });
});
