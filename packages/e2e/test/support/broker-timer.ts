import type { RunningBroker } from './start-broker.js';

let timers = 0;

/**
 * Resolves once the broker's own clock has moved `seconds` on: a client with that Will Delay
 * Interval vanishes and its will arrives. Deadlines the broker set before this call (session
 * expiry, will delay, message expiry) fall due before it, so tests wait on the broker instead
 * of sleeping.
 */
export async function brokerTimer(running: RunningBroker, seconds: number): Promise<void> {
  const topic = `$timer/${++timers}`;
  const listener = await running.client({ protocolVersion: 5 });
  await listener.subscribeAsync(topic, { qos: 0 });
  const fired = new Promise<void>((resolve) =>
    listener.on('message', (received) => received === topic && resolve()),
  );
  const timer = await running.client({
    protocolVersion: 5,
    properties: { sessionExpiryInterval: seconds + 60 },
    will: {
      topic,
      payload: Buffer.from('due'),
      qos: 0,
      retain: false,
      properties: { willDelayInterval: seconds },
    },
  });
  (timer as unknown as { stream: { destroy(): void } }).stream.destroy();
  await fired;
  await listener.endAsync();
}
