import type mqtt from 'mqtt';

export interface Received {
  readonly topic: string;
  readonly payload: string;
  readonly packet: mqtt.IPublishPacket;
}

export interface Inbox {
  /** Messages as MQTT.js hands them over: QoS 2 ones only once PUBREL arrived. */
  readonly messages: Received[];
  /** Topics of the PUBLISH packets in the order they came off the wire. */
  readonly arrivals: string[];
  /** Resolves with the first `count` messages once that many arrived. */
  next(count?: number): Promise<Received[]>;
  /** Resolves with the first message on `topic`, waiting for it. */
  on(topic: string): Promise<Received>;
}

/** Collects the messages a client receives, in order. */
export function inbox(client: mqtt.MqttClient): Inbox {
  const messages: Received[] = [];
  const arrivals: string[] = [];
  client.on('packetreceive', (packet) => {
    if (packet.cmd === 'publish') arrivals.push(packet.topic);
  });
  const waiters = new Set<() => boolean>();
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload: payload.toString(), packet });
    for (const waiter of waiters) if (waiter()) waiters.delete(waiter);
  });
  const wait = <T>(ready: () => T | undefined): Promise<T> => {
    const now = ready();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => {
      waiters.add(() => {
        const value = ready();
        if (value === undefined) return false;
        resolve(value);
        return true;
      });
    });
  };
  return {
    messages,
    arrivals,
    next: (count = 1) => wait(() => (messages.length >= count ? messages.slice(0, count) : undefined)),
    on: (topic) => wait(() => messages.find((message) => message.topic === topic)),
  };
}
