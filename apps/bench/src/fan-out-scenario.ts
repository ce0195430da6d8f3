import { flood, publishBatch } from './flood.js';
import { connectLoadClient, PacketNumber } from './load-client.js';
import type { LoadClient } from './load-client.js';
import { measureWindow } from './measure-window.js';
import type { Scenario } from './scenario.js';

const subscribers = 50;
const topic = 'bench/fan-out';

/** One publisher floods a topic at QoS 0 with fifty subscribers; counts deliveries to all of them. */
export const fanOutScenario: Scenario = {
  id: 'fan-out',
  title: `fan-out: 1 publisher → ${subscribers} subscribers, QoS 0, 16 B`,
  async run(broker, options) {
    let delivered = 0;
    const onPacket = (frame: { header: number }): void => {
      if (frame.header >> 4 === PacketNumber.publish) delivered += 1;
    };
    const clients: LoadClient[] = [];
    try {
      for (let index = 0; index < subscribers; index += 1) {
        const subscriber = await connectLoadClient({
          port: broker.port,
          clientId: `fan-out-subscriber-${index}`,
          onPacket,
        });
        clients.push(subscriber);
        await subscriber.subscribe(topic, 0);
      }
      const publisher = await connectLoadClient({ port: broker.port, clientId: 'fan-out-publisher' });
      clients.push(publisher);
      const batch = publishBatch({
        type: 'publish',
        topic,
        payload: new Uint8Array(16),
        qos: 0,
        retain: false,
        dup: false,
      });
      let running = true;
      flood(publisher.socket, batch, () => running);
      try {
        const window = await measureWindow(broker, options, () => delivered);
        return {
          metrics: [{ label: 'delivered', unit: 'msg/s', higherIsBetter: true, value: window.rate }],
          brokerCpu: window.brokerCpu,
          loadCpu: window.loadCpu,
        };
      } finally {
        running = false;
      }
    } finally {
      for (const client of clients) client.close();
    }
  },
};
