import { flood, publishBatch } from './flood.js';
import { connectLoadClient, PacketNumber } from './load-client.js';
import { measureWindow } from './measure-window.js';
import type { Scenario } from './scenario.js';

const publishers = 8;
const topic = 'bench/fan-in';

/** Eight publishers flood one topic at QoS 0; one subscriber counts what arrives. */
export const fanInScenario: Scenario = {
  id: 'fan-in',
  title: `fan-in: ${publishers} publishers → 1 subscriber, QoS 0, 16 B`,
  async run(broker, options) {
    let received = 0;
    const subscriber = await connectLoadClient({
      port: broker.port,
      clientId: 'fan-in-subscriber',
      onPacket: (frame) => {
        if (frame.header >> 4 === PacketNumber.publish) received += 1;
      },
    });
    await subscriber.subscribe(topic, 0);
    const clients = await Promise.all(
      Array.from({ length: publishers }, (_, index) =>
        connectLoadClient({ port: broker.port, clientId: `fan-in-publisher-${index}` }),
      ),
    );
    const batch = publishBatch({
      type: 'publish',
      topic,
      payload: new Uint8Array(16),
      qos: 0,
      retain: false,
      dup: false,
    });
    let running = true;
    for (const client of clients) flood(client.socket, batch, () => running);
    try {
      const window = await measureWindow(broker, options, () => received);
      return {
        metrics: [{ label: 'received', unit: 'msg/s', higherIsBetter: true, value: window.rate }],
        brokerCpu: window.brokerCpu,
        loadCpu: window.loadCpu,
      };
    } finally {
      running = false;
      for (const client of [subscriber, ...clients]) client.close();
    }
  },
};
