// A minimal MQTT responder built from the codec alone: it answers CONNECT, SUBSCRIBE, PUBLISH
// (all QoS), PINGREQ and DISCONNECT, and forwards each PUBLISH to connections subscribed to its
// exact topic or to a `prefix/#` filter. It exists to show that real clients accept the bytes the
// codec writes and that the codec reads the bytes they send; routing is the broker's job.
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createDecoder, encode, ReasonCode } from '@mqttkit/codec';
import type { Packet, ProtocolVersion, Publish } from '@mqttkit/codec';

export interface ResponderConnection {
  readonly socket: Socket;
  readonly received: Packet[];
  protocolVersion: ProtocolVersion | undefined;
  readonly filters: Map<string, number | undefined>;
  nextPacketId: number;
}

export interface Responder {
  readonly port: number;
  readonly connections: ResponderConnection[];
  /** Resolves with the first received packet that `match` accepts, from any connection. */
  waitFor<T extends Packet>(match: (packet: Packet) => packet is T): Promise<T>;
  /** Sends a PUBLISH to every connection subscribed to its topic. */
  publish(packet: Omit<Publish, 'type' | 'dup' | 'packetId'>): void;
  /** Errors the decoder threw, per connection; the tests expect none. */
  readonly errors: Error[];
  close(): Promise<void>;
}

function matches(filter: string, topic: string): boolean {
  if (filter === topic || filter === '#') return true;
  return filter.endsWith('/#') && (topic === filter.slice(0, -2) || topic.startsWith(filter.slice(0, -1)));
}

export async function startResponder(): Promise<Responder> {
  const connections: ResponderConnection[] = [];
  const errors: Error[] = [];
  const waiters: { match: (packet: Packet) => boolean; resolve: (packet: Packet) => void }[] = [];
  const server: Server = createServer();

  const send = (connection: ResponderConnection, packet: Packet): void => {
    connection.socket.write(encode(packet, connection.protocolVersion ?? 4));
  };

  const forward = (message: Omit<Publish, 'type' | 'dup' | 'packetId'>): void => {
    for (const connection of connections) {
      for (const [filter, identifier] of connection.filters) {
        if (!matches(filter, message.topic)) continue;
        const v5 = connection.protocolVersion === 5;
        const properties = v5
          ? { ...message.properties, ...(identifier ? { subscriptionIdentifiers: [identifier] } : {}) }
          : undefined;
        send(connection, {
          type: 'publish',
          topic: message.topic,
          payload: message.payload,
          qos: message.qos,
          retain: message.retain,
          dup: false,
          ...(message.qos > 0 ? { packetId: connection.nextPacketId++ } : {}),
          ...(properties && Object.keys(properties).length > 0 ? { properties } : {}),
        });
        break;
      }
    }
  };

  const handle = (connection: ResponderConnection, packet: Packet): void => {
    connection.received.push(packet);
    for (let index = 0; index < waiters.length; index += 1) {
      if (waiters[index]!.match(packet)) {
        waiters[index]!.resolve(packet);
        waiters.splice(index, 1);
        index -= 1;
      }
    }
    switch (packet.type) {
      case 'connect':
        connection.protocolVersion = packet.protocolVersion;
        send(connection, { type: 'connack', sessionPresent: false, reasonCode: ReasonCode.Success });
        break;
      case 'subscribe':
        for (const subscription of packet.subscriptions) {
          connection.filters.set(subscription.topicFilter, packet.properties?.subscriptionIdentifiers?.[0]);
        }
        send(connection, {
          type: 'suback',
          packetId: packet.packetId,
          reasonCodes: packet.subscriptions.map((subscription) => subscription.qos),
        });
        break;
      case 'unsubscribe':
        for (const filter of packet.topicFilters) connection.filters.delete(filter);
        send(connection, {
          type: 'unsuback',
          packetId: packet.packetId,
          reasonCodes:
            connection.protocolVersion === 5 ? packet.topicFilters.map(() => ReasonCode.Success) : [],
        });
        break;
      case 'publish': {
        if (packet.qos === 1) send(connection, { type: 'puback', packetId: packet.packetId! });
        if (packet.qos === 2) send(connection, { type: 'pubrec', packetId: packet.packetId! });
        const { topic, payload, qos, retain, properties } = packet;
        const kept = properties ? { ...properties } : undefined;
        delete kept?.topicAlias;
        delete kept?.subscriptionIdentifiers;
        // Copy the payload: it is a view into the socket's chunk, which the codec does not own.
        forward({ topic, payload: payload.slice(), qos, retain, ...(kept ? { properties: kept } : {}) });
        break;
      }
      case 'pubrec':
        send(connection, { type: 'pubrel', packetId: packet.packetId });
        break;
      case 'pubrel':
        send(connection, { type: 'pubcomp', packetId: packet.packetId });
        break;
      case 'pingreq':
        send(connection, { type: 'pingresp' });
        break;
      case 'disconnect':
        connection.socket.end();
        break;
      default:
        break;
    }
  };

  server.on('connection', (socket) => {
    const connection: ResponderConnection = {
      socket,
      received: [],
      protocolVersion: undefined,
      filters: new Map(),
      nextPacketId: 1,
    };
    connections.push(connection);
    const decoder = createDecoder();
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk);
        for (let packet = decoder.next(); packet !== undefined; packet = decoder.next())
          handle(connection, packet);
      } catch (error) {
        errors.push(error as Error);
        socket.destroy();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  return {
    port: (server.address() as AddressInfo).port,
    connections,
    errors,
    waitFor<T extends Packet>(match: (packet: Packet) => packet is T): Promise<T> {
      for (const connection of connections) {
        const found = connection.received.find(match);
        if (found) return Promise.resolve(found);
      }
      return new Promise((resolve) => waiters.push({ match, resolve: resolve as (packet: Packet) => void }));
    },
    publish: forward,
    close: () =>
      new Promise((resolve) => {
        for (const connection of connections) connection.socket.destroy();
        server.close(() => resolve());
      }),
  };
}
