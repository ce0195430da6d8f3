import type { Packet, QoS } from '@mqttkit/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSessionCapabilities, Session } from '../src/index.js';
import type { SessionAction, SessionCapabilities } from '../src/index.js';
import { connectPacket, start } from './session-harness.js';

const receiveMaximum = 3;
const clientReceiveMaximum = 2;
const maximumQueuedMessages = 3;

interface OwnPublish {
  readonly id: number;
  readonly qos: 1 | 2;
  stage: 'publish' | 'pubrel';
}

/**
 * A session wired to a simulated, well-behaved client over a connection that can break at any
 * moment. The client keeps its own session state, re-sends on reconnect like a real client, and
 * counts what reaches each side's application.
 */
class Simulation {
  readonly capabilities: SessionCapabilities = createSessionCapabilities({
    receiveMaximum,
    maximumQueuedMessages,
  });
  // Starting near the top of the id range makes every run cross the wrap from 65535 to 1.
  session = Session.fromState(
    { ...new Session({ clientId: 'model' }).toState(), nextPacketId: 65_534 },
    this.capabilities,
  );
  now = start;
  connected = false;
  // server → client
  private nextOutbound = 0;
  readonly outboundQoS = new Map<number, QoS>();
  readonly outboundDropped = new Set<number>();
  readonly receivedByClient = new Map<number, number>();
  /** Packet ids of server PUBLISH flows not yet completed, as the client saw them. */
  private readonly serverFlows = new Map<number, number>();
  private readonly clientQoS2Received = new Set<number>();
  private pendingAcks: Packet[] = [];
  /** Server packets on the wire, in order; a broken connection loses them. */
  private inTransit: Packet[] = [];
  // client → server
  private nextInbound = 0;
  private nextClientPacketId = 1;
  readonly inboundQoS = new Map<number, QoS>();
  readonly deliveredToRouter = new Map<number, number>();
  private readonly own = new Map<number, OwnPublish>();

  connect(): void {
    const actions = this.session.connect(
      connectPacket({
        clientId: 'model',
        clean: false,
        keepAlive: 60,
        properties: { sessionExpiryInterval: 0xffff_ffff, receiveMaximum: clientReceiveMaximum },
      }),
      this.now,
    );
    this.connected = true;
    this.apply(actions);
    // [MQTT-4.4.0-1] the client re-sends its unfinished flows in order.
    for (const [packetId, publish] of [...this.own]) {
      if (publish.stage === 'publish') {
        this.send(this.clientPublish(publish, packetId, true));
      } else {
        this.send({ type: 'pubrel', packetId });
      }
    }
  }

  connectionLost(): void {
    this.apply(this.session.connectionLost(this.now));
    this.connected = false;
    this.pendingAcks = [];
    this.inTransit = [];
  }

  /** The client reads the next `count` packets from the wire. */
  read(count: number): void {
    for (const packet of this.inTransit.splice(0, count)) {
      this.fromServer(packet);
    }
  }

  brokerPublish(qos: QoS, lifetime: number | undefined): void {
    const id = this.nextOutbound++;
    this.outboundQoS.set(id, qos);
    const message = {
      topic: `out/${id}`,
      payload: new Uint8Array([id & 0xff]),
      qos,
      retain: false,
      ...(lifetime === undefined ? {} : { expiresAt: this.now + lifetime }),
    };
    this.apply(this.session.publish({ message, qos, retain: false }, this.now));
  }

  clientPublish(publish: OwnPublish, packetId: number, dup: boolean): Packet {
    return {
      type: 'publish',
      topic: `in/${publish.id}`,
      payload: new Uint8Array(),
      qos: publish.qos,
      retain: false,
      dup,
      packetId,
    };
  }

  publishFromClient(qos: QoS): void {
    if (!this.connected) return;
    const id = this.nextInbound++;
    this.inboundQoS.set(id, qos);
    if (qos === 0) {
      this.send({
        type: 'publish',
        topic: `in/${id}`,
        payload: new Uint8Array(),
        qos,
        retain: false,
        dup: false,
      });
      return;
    }
    // [MQTT-3.3.4-7] a well-behaved client respects the server's Receive Maximum.
    if (this.own.size >= receiveMaximum) {
      this.inboundQoS.delete(id);
      return;
    }
    while (this.own.has(this.nextClientPacketId))
      this.nextClientPacketId = (this.nextClientPacketId % 65_535) + 1;
    const packetId = this.nextClientPacketId;
    const publish: OwnPublish = { id, qos, stage: 'publish' };
    this.own.set(packetId, publish);
    this.send(this.clientPublish(publish, packetId, false));
  }

  acknowledge(index: number): void {
    if (!this.connected || this.pendingAcks.length === 0) return;
    const [packet] = this.pendingAcks.splice(index % this.pendingAcks.length, 1) as [Packet];
    // The client sending PUBACK or PUBCOMP ends the flow on both sides.
    if (packet.type === 'puback' || packet.type === 'pubcomp') {
      this.serverFlows.delete(packet.packetId);
      if (packet.type === 'pubcomp') this.clientQoS2Received.delete(packet.packetId);
    }
    this.send(packet);
  }

  ping(): void {
    if (this.connected) this.send({ type: 'pingreq' });
  }

  advance(milliseconds: number): void {
    this.now += milliseconds;
    const deadline = this.session.nextDeadline();
    if (deadline !== undefined && deadline <= this.now) {
      this.apply(this.session.tick(this.now));
    }
  }

  moveNode(): void {
    this.session = Session.fromState(structuredClone(this.session.toState()), this.capabilities);
  }

  /** Lets every flow finish: reconnect, then acknowledge everything until nothing moves. */
  settle(): void {
    for (let round = 0; round < 200; round++) {
      if (!this.connected) this.connect();
      if (
        this.pendingAcks.length + this.inTransit.length === 0 &&
        this.session.inflightCount === 0 &&
        this.session.queuedCount === 0 &&
        this.own.size === 0
      ) {
        return;
      }
      while (this.connected && this.inTransit.length + this.pendingAcks.length > 0) {
        this.read(this.inTransit.length);
        this.acknowledge(0);
      }
    }
    throw new Error('the flows did not settle');
  }

  private send(packet: Packet): void {
    this.apply(this.session.receive(packet, this.now));
  }

  private apply(actions: readonly SessionAction[]): void {
    for (const action of actions) {
      switch (action.type) {
        case 'send':
          this.checkPacketId(action.packet);
          this.inTransit.push(action.packet);
          break;
        case 'deliver': {
          const id = Number(action.message.topic.slice(3));
          this.deliveredToRouter.set(id, (this.deliveredToRouter.get(id) ?? 0) + 1);
          break;
        }
        case 'drop':
          this.outboundDropped.add(Number(action.message.topic.slice(4)));
          break;
        case 'disconnect':
          this.connected = false;
          this.pendingAcks = [];
          this.inTransit = [];
          break;
        case 'end':
          throw new Error('a session that never expires ended');
        default:
          break;
      }
    }
    expect(this.session.queuedCount).toBeLessThanOrEqual(maximumQueuedMessages);
    expect(this.session.inflightCount).toBeLessThanOrEqual(clientReceiveMaximum);
  }

  private checkPacketId(packet: Packet): void {
    if (packet.type !== 'publish' || packet.qos === 0) return;
    const packetId = packet.packetId as number;
    const id = Number(packet.topic.slice(4));
    if (packet.dup) {
      // [MQTT-4.4.0-1] a re-send keeps the original packet id.
      expect(this.serverFlows.get(packetId)).toBe(id);
    } else {
      // [MQTT-2.2.1-4] a new flow never takes a packet id still in flight.
      expect(this.serverFlows.has(packetId)).toBe(false);
      this.serverFlows.set(packetId, id);
    }
  }

  private fromServer(packet: Packet): void {
    switch (packet.type) {
      case 'publish': {
        const id = Number(packet.topic.slice(4));
        expect(this.outboundDropped.has(id)).toBe(false);
        if (packet.qos === 0) {
          this.receivedByClient.set(id, (this.receivedByClient.get(id) ?? 0) + 1);
          return;
        }
        const packetId = packet.packetId as number;
        if (packet.qos === 1 || !this.clientQoS2Received.has(packetId)) {
          this.receivedByClient.set(id, (this.receivedByClient.get(id) ?? 0) + 1);
        }
        if (packet.qos === 1) {
          this.pendingAcks.push({ type: 'puback', packetId });
        } else {
          this.clientQoS2Received.add(packetId);
          this.pendingAcks.push({ type: 'pubrec', packetId });
        }
        return;
      }
      case 'pubrel':
        this.pendingAcks.push({ type: 'pubcomp', packetId: packet.packetId });
        return;
      case 'puback':
      case 'pubcomp':
        this.own.delete(packet.packetId);
        return;
      case 'pubrec': {
        const publish = this.own.get(packet.packetId);
        if (publish !== undefined) {
          publish.stage = 'pubrel';
          this.pendingAcks.push({ type: 'pubrel', packetId: packet.packetId });
        }
        return;
      }
      default:
        return;
    }
  }
}

type Command = fc.Command<object, Simulation>;

function command(name: string, run: (simulation: Simulation) => void): Command {
  return { check: () => true, run: (_model, simulation) => run(simulation), toString: () => name };
}

const qos = fc.constantFrom<QoS>(0, 1, 2);
const brokerPublish = fc
  .tuple(qos, fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: undefined }))
  .map(([level, lifetime]) =>
    command(`brokerPublish(${level}, ${String(lifetime)})`, (simulation) =>
      simulation.brokerPublish(level, lifetime),
    ),
  );
const commands = [
  brokerPublish,
  brokerPublish,
  brokerPublish,
  qos.map((level) => command(`clientPublish(${level})`, (simulation) => simulation.publishFromClient(level))),
  fc.nat(10).map((index) => command(`acknowledge(${index})`, (simulation) => simulation.acknowledge(index))),
  fc.nat(10).map((index) => command(`acknowledge(${index})`, (simulation) => simulation.acknowledge(index))),
  fc.nat(4).map((count) => command(`read(${count})`, (simulation) => simulation.read(count))),
  fc.nat(4).map((count) => command(`read(${count})`, (simulation) => simulation.read(count))),
  fc.constant(command('ping', (simulation) => simulation.ping())),
  fc.constant(command('connectionLost', (simulation) => simulation.connectionLost())),
  fc.constant(
    command('reconnect', (simulation) => (simulation.connected ? undefined : simulation.connect())),
  ),
  fc.constant(command('moveNode', (simulation) => simulation.moveNode())),
  fc
    .integer({ min: 1, max: 60_000 })
    .map((milliseconds) =>
      command(`advance(${milliseconds})`, (simulation) => simulation.advance(milliseconds)),
    ),
];

describe('Session model', () => {
  it('[MQTT-4.3.2-4] [MQTT-4.3.3-10] delivers QoS 1 at least once and QoS 2 exactly once over random breaks, never reusing ids or passing a bound', () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 80 }), (sequence) => {
        const simulation = new Simulation();
        simulation.connect();
        fc.modelRun(() => ({ model: {}, real: simulation }), sequence);
        simulation.settle();
        for (const [id, level] of simulation.inboundQoS) {
          const count = simulation.deliveredToRouter.get(id) ?? 0;
          if (level === 1) expect(count, `inbound ${id}`).toBeGreaterThanOrEqual(1);
          if (level === 2) expect(count, `inbound ${id}`).toBe(1);
          if (level === 0) expect(count, `inbound ${id}`).toBeLessThanOrEqual(1);
        }
        for (const [id, level] of simulation.outboundQoS) {
          const count = simulation.receivedByClient.get(id) ?? 0;
          if (simulation.outboundDropped.has(id)) {
            expect(count, `dropped outbound ${id}`).toBe(0);
            continue;
          }
          if (level === 1) expect(count, `outbound ${id}`).toBeGreaterThanOrEqual(1);
          if (level === 2) expect(count, `outbound ${id}`).toBe(1);
          if (level === 0) expect(count, `outbound ${id}`).toBeLessThanOrEqual(1);
        }
      }),
      { seed: 20_261_122, numRuns: 300 },
    );
  });
});
