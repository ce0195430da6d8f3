// fast-check arbitraries of valid packets, per protocol version, shaped exactly as the decoder
// returns them (optional fields absent rather than undefined, no empty property blocks).
import fc from 'fast-check';
import type { Packet, ProtocolVersion, Properties, Subscription } from '@mqttkit/codec';

const text = fc.string({ unit: 'binary', maxLength: 12 }).filter((value) => !value.includes('\u0000'));
const nonEmptyText = text.filter((value) => value.length > 0);
const topicName = nonEmptyText.filter((value) => !value.includes('+') && !value.includes('#'));
const bytes = fc.uint8Array({ maxLength: 24 });
const packetId = fc.integer({ min: 1, max: 0xffff });
const uint16 = fc.integer({ min: 0, max: 0xffff });
const uint32 = fc.integer({ min: 0, max: 0xffff_ffff });
const qos = fc.constantFrom(0 as const, 1 as const, 2 as const);

const propertyValues = {
  payloadFormatIndicator: fc.constantFrom(0 as const, 1 as const),
  messageExpiryInterval: uint32,
  contentType: text,
  responseTopic: topicName,
  correlationData: bytes,
  subscriptionIdentifiers: fc.array(fc.integer({ min: 1, max: 268_435_455 }), { minLength: 1, maxLength: 3 }),
  sessionExpiryInterval: uint32,
  assignedClientIdentifier: text,
  serverKeepAlive: uint16,
  authenticationMethod: text,
  authenticationData: bytes,
  requestProblemInformation: fc.boolean(),
  willDelayInterval: uint32,
  requestResponseInformation: fc.boolean(),
  responseInformation: text,
  serverReference: text,
  reasonString: text,
  receiveMaximum: fc.integer({ min: 1, max: 0xffff }),
  topicAliasMaximum: uint16,
  topicAlias: fc.integer({ min: 1, max: 0xffff }),
  maximumQoS: fc.constantFrom(0 as const, 1 as const),
  retainAvailable: fc.boolean(),
  userProperties: fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 3 }),
  maximumPacketSize: fc.integer({ min: 1, max: 0xffff_ffff }),
  wildcardSubscriptionAvailable: fc.boolean(),
  subscriptionIdentifiersAvailable: fc.boolean(),
  sharedSubscriptionAvailable: fc.boolean(),
} satisfies { [K in keyof Properties]-?: fc.Arbitrary<NonNullable<Properties[K]>> };

type PropertyName = keyof typeof propertyValues;

/** Properties limited to `names`, or undefined when none was drawn (the decoder omits empty blocks). */
export function properties(
  names: readonly PropertyName[],
  overrides: Partial<Record<PropertyName, fc.Arbitrary<unknown>>> = {},
): fc.Arbitrary<Properties | undefined> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const name of names) model[name] = overrides[name] ?? propertyValues[name];
  return fc
    .record(model, { requiredKeys: [] })
    .map((value) => (Object.keys(value).length === 0 ? undefined : (value as Properties)));
}

/** Adds `key` only when `value` is defined, as the decoder does. */
export function optional<T extends object, K extends string, V>(
  target: T,
  key: K,
  value: V | undefined,
): T & { [P in K]?: V } {
  return (value === undefined ? target : { ...target, [key]: value }) as T & { [P in K]?: V };
}

const connectProperties = [
  'sessionExpiryInterval',
  'receiveMaximum',
  'maximumPacketSize',
  'topicAliasMaximum',
  'requestResponseInformation',
  'requestProblemInformation',
  'userProperties',
  'authenticationMethod',
  'authenticationData',
] as const;
const willProperties = [
  'willDelayInterval',
  'payloadFormatIndicator',
  'messageExpiryInterval',
  'contentType',
  'responseTopic',
  'correlationData',
  'userProperties',
] as const;
const connackProperties = [
  'sessionExpiryInterval',
  'receiveMaximum',
  'maximumQoS',
  'retainAvailable',
  'maximumPacketSize',
  'assignedClientIdentifier',
  'topicAliasMaximum',
  'reasonString',
  'userProperties',
  'wildcardSubscriptionAvailable',
  'subscriptionIdentifiersAvailable',
  'sharedSubscriptionAvailable',
  'serverKeepAlive',
  'responseInformation',
  'serverReference',
  'authenticationMethod',
  'authenticationData',
] as const;
const publishProperties = [
  'payloadFormatIndicator',
  'messageExpiryInterval',
  'topicAlias',
  'responseTopic',
  'correlationData',
  'userProperties',
  'subscriptionIdentifiers',
  'contentType',
] as const;
const ackProperties = ['reasonString', 'userProperties'] as const;

export const reasonCodes = {
  connack: [
    0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99,
    0x9a, 0x9b, 0x9c, 0x9d, 0x9f,
  ],
  v3v4Connack: [0x00, 0x84, 0x85, 0x86, 0x87, 0x88],
  publishResponse: [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99],
  release: [0x00, 0x92],
  suback: [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2],
  v3v4Suback: [0x00, 0x01, 0x02, 0x80],
  unsuback: [0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91],
  disconnect: [
    0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96,
    0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
  ],
  auth: [0x00, 0x18, 0x19],
} as const;

function connect(version: ProtocolVersion): fc.Arbitrary<Packet> {
  const v5 = version === 5;
  const will = fc.record({
    topic: topicName,
    payload: bytes,
    qos,
    retain: fc.boolean(),
    properties: v5 ? properties(willProperties) : fc.constant(undefined),
  });
  return fc
    .record({
      clean: fc.boolean(),
      keepAlive: uint16,
      clientId: text,
      properties: v5 ? properties(connectProperties) : fc.constant(undefined),
      will: fc.option(will, { nil: undefined }),
      username: fc.option(text, { nil: undefined }),
      password: fc.option(bytes, { nil: undefined }),
    })
    .map((drawn) => {
      let packet: Packet = {
        type: 'connect',
        protocolName: version === 3 ? 'MQIsdp' : 'MQTT',
        protocolVersion: version,
        clean: drawn.clean,
        keepAlive: drawn.keepAlive,
        clientId: drawn.clientId,
      };
      packet = optional(packet, 'properties', drawn.properties);
      if (drawn.will !== undefined) {
        const { properties: drawnWillProperties, ...rest } = drawn.will;
        packet = { ...packet, will: optional(rest, 'properties', drawnWillProperties) };
      }
      packet = optional(packet, 'username', drawn.username);
      // Before MQTT 5 a password needs a user name [MQTT-3.1.2-22].
      if (v5 || drawn.username !== undefined) packet = optional(packet, 'password', drawn.password);
      return packet;
    });
}

function acknowledgement(
  version: ProtocolVersion,
  type: 'puback' | 'pubrec' | 'pubrel' | 'pubcomp',
): fc.Arbitrary<Packet> {
  if (version !== 5) return packetId.map((id) => ({ type, packetId: id }));
  const codes = type === 'puback' || type === 'pubrec' ? reasonCodes.publishResponse : reasonCodes.release;
  return fc
    .record({
      id: packetId,
      reasonCode: fc.option(fc.constantFrom(...codes), { nil: undefined }),
      properties: properties(ackProperties),
    })
    .map(({ id, reasonCode, properties: drawnProperties }) => {
      const packet = optional(
        { type, packetId: id },
        'reasonCode',
        drawnProperties === undefined ? reasonCode : (reasonCode ?? 0),
      );
      return optional(packet, 'properties', drawnProperties);
    });
}

function subscription(version: ProtocolVersion): fc.Arbitrary<Subscription> {
  if (version !== 5) {
    return fc
      .record({ topicFilter: nonEmptyText, qos })
      .map((drawn) => ({ ...drawn, noLocal: false, retainAsPublished: false, retainHandling: 0 as const }));
  }
  return fc
    .record({
      topicFilter: nonEmptyText,
      qos,
      noLocal: fc.boolean(),
      retainAsPublished: fc.boolean(),
      retainHandling: fc.constantFrom(0 as const, 1 as const, 2 as const),
    })
    .map((drawn) => (drawn.topicFilter.startsWith('$share/') ? { ...drawn, noLocal: false } : drawn));
}

/** A valid packet of any type that `version` has. */
export function packetArbitrary(version: ProtocolVersion): fc.Arbitrary<Packet> {
  const v5 = version === 5;
  const none = fc.constant(undefined);
  const publish = fc
    .record({
      topic: topicName,
      payload: bytes,
      qos,
      retain: fc.boolean(),
      dup: fc.boolean(),
      packetId,
      properties: v5 ? properties(publishProperties) : none,
    })
    .map(({ topic, payload, qos: level, retain, dup, packetId: id, properties: drawnProperties }): Packet => {
      const base =
        level === 0
          ? { type: 'publish' as const, topic, payload, qos: level, retain, dup: false }
          : { type: 'publish' as const, topic, payload, qos: level, retain, dup, packetId: id };
      return optional(base, 'properties', drawnProperties);
    });
  const arbitraries: fc.Arbitrary<Packet>[] = [
    connect(version),
    fc
      .record({
        sessionPresent: fc.boolean(),
        reasonCode: fc.constantFrom(...(v5 ? reasonCodes.connack : reasonCodes.v3v4Connack)),
        properties: v5 ? properties(connackProperties) : none,
      })
      .map(({ sessionPresent, reasonCode, properties: drawnProperties }) =>
        optional(
          { type: 'connack' as const, sessionPresent: sessionPresent && reasonCode === 0, reasonCode },
          'properties',
          drawnProperties,
        ),
      ),
    publish,
    acknowledgement(version, 'puback'),
    acknowledgement(version, 'pubrec'),
    acknowledgement(version, 'pubrel'),
    acknowledgement(version, 'pubcomp'),
    fc
      .record({
        id: packetId,
        subscriptions: fc.array(subscription(version), { minLength: 1, maxLength: 3 }),
        properties: v5
          ? properties(['subscriptionIdentifiers', 'userProperties'], {
              subscriptionIdentifiers: fc
                .integer({ min: 1, max: 268_435_455 })
                .map((identifier) => [identifier]),
            })
          : none,
      })
      .map(({ id, subscriptions, properties: drawnProperties }) =>
        optional({ type: 'subscribe' as const, packetId: id, subscriptions }, 'properties', drawnProperties),
      ),
    fc
      .record({
        id: packetId,
        codes: fc.array(fc.constantFrom(...(v5 ? reasonCodes.suback : reasonCodes.v3v4Suback)), {
          minLength: 1,
          maxLength: 4,
        }),
        properties: v5 ? properties(ackProperties) : none,
      })
      .map(({ id, codes, properties: drawnProperties }) =>
        optional(
          { type: 'suback' as const, packetId: id, reasonCodes: codes },
          'properties',
          drawnProperties,
        ),
      ),
    fc
      .record({
        id: packetId,
        topicFilters: fc.array(nonEmptyText, { minLength: 1, maxLength: 3 }),
        properties: v5 ? properties(['userProperties']) : none,
      })
      .map(({ id, topicFilters, properties: drawnProperties }) =>
        optional({ type: 'unsubscribe' as const, packetId: id, topicFilters }, 'properties', drawnProperties),
      ),
    fc
      .record({
        id: packetId,
        codes: v5
          ? fc.array(fc.constantFrom(...reasonCodes.unsuback), { minLength: 1, maxLength: 4 })
          : fc.constant([]),
        properties: v5 ? properties(ackProperties) : none,
      })
      .map(({ id, codes, properties: drawnProperties }) =>
        optional(
          { type: 'unsuback' as const, packetId: id, reasonCodes: [...codes] },
          'properties',
          drawnProperties,
        ),
      ),
    fc.constant({ type: 'pingreq' as const }),
    fc.constant({ type: 'pingresp' as const }),
  ];
  if (!v5) return fc.oneof(...arbitraries, fc.constant({ type: 'disconnect' as const }));
  return fc.oneof(
    ...arbitraries,
    fc
      .record({
        reasonCode: fc.option(fc.constantFrom(...reasonCodes.disconnect), { nil: undefined }),
        properties: properties([
          'sessionExpiryInterval',
          'reasonString',
          'userProperties',
          'serverReference',
        ]),
      })
      .map(({ reasonCode, properties: drawnProperties }) =>
        optional(
          optional(
            { type: 'disconnect' as const },
            'reasonCode',
            drawnProperties === undefined ? reasonCode : (reasonCode ?? 0),
          ),
          'properties',
          drawnProperties,
        ),
      ),
    fc
      .record({
        reasonCode: fc.constantFrom(...reasonCodes.auth),
        properties: properties([
          'authenticationMethod',
          'authenticationData',
          'reasonString',
          'userProperties',
        ]),
      })
      .map(({ reasonCode, properties: drawnProperties }) =>
        optional({ type: 'auth' as const, reasonCode }, 'properties', drawnProperties),
      ),
    publish.map((packet) => {
      // An empty topic is allowed in MQTT 5 when a topic alias stands for it.
      if (packet.type !== 'publish') return packet;
      return { ...packet, topic: '', properties: { ...packet.properties, topicAlias: 7 } };
    }),
  );
}

export const protocolVersions: readonly ProtocolVersion[] = [3, 4, 5];
