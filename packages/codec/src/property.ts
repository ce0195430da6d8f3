import type { Properties } from './packet.js';

/** The data types of MQTT 5 properties (spec 1.5). */
export type PropertyDataType =
  | 'byte'
  | 'twoByteInteger'
  | 'fourByteInteger'
  | 'variableByteInteger'
  | 'utf8String'
  | 'binaryData'
  | 'utf8StringPair';

/** Where a property may appear: a packet type or the will properties of a CONNECT. */
export type PropertyLocation =
  | 'connect'
  | 'will'
  | 'connack'
  | 'publish'
  | 'puback'
  | 'pubrec'
  | 'pubrel'
  | 'pubcomp'
  | 'subscribe'
  | 'suback'
  | 'unsubscribe'
  | 'unsuback'
  | 'disconnect'
  | 'auth';

/** One MQTT 5 property: its identifier, data type and the places the spec allows it (2.2.2.2). */
export interface PropertyDefinition {
  readonly id: number;
  readonly type: PropertyDataType;
  readonly locations: readonly PropertyLocation[];
}

const acknowledgements = ['puback', 'pubrec', 'pubrel', 'pubcomp', 'suback', 'unsuback'] as const;

/**
 * Every MQTT 5 property by its `Properties` field name. `subscriptionIdentifiers` and
 * `userProperties` may repeat (the first only in PUBLISH); every other property at most once.
 */
export const Property = {
  payloadFormatIndicator: { id: 0x01, type: 'byte', locations: ['publish', 'will'] },
  messageExpiryInterval: { id: 0x02, type: 'fourByteInteger', locations: ['publish', 'will'] },
  contentType: { id: 0x03, type: 'utf8String', locations: ['publish', 'will'] },
  responseTopic: { id: 0x08, type: 'utf8String', locations: ['publish', 'will'] },
  correlationData: { id: 0x09, type: 'binaryData', locations: ['publish', 'will'] },
  subscriptionIdentifiers: { id: 0x0b, type: 'variableByteInteger', locations: ['publish', 'subscribe'] },
  sessionExpiryInterval: {
    id: 0x11,
    type: 'fourByteInteger',
    locations: ['connect', 'connack', 'disconnect'],
  },
  assignedClientIdentifier: { id: 0x12, type: 'utf8String', locations: ['connack'] },
  serverKeepAlive: { id: 0x13, type: 'twoByteInteger', locations: ['connack'] },
  authenticationMethod: { id: 0x15, type: 'utf8String', locations: ['connect', 'connack', 'auth'] },
  authenticationData: { id: 0x16, type: 'binaryData', locations: ['connect', 'connack', 'auth'] },
  requestProblemInformation: { id: 0x17, type: 'byte', locations: ['connect'] },
  willDelayInterval: { id: 0x18, type: 'fourByteInteger', locations: ['will'] },
  requestResponseInformation: { id: 0x19, type: 'byte', locations: ['connect'] },
  responseInformation: { id: 0x1a, type: 'utf8String', locations: ['connack'] },
  serverReference: { id: 0x1c, type: 'utf8String', locations: ['connack', 'disconnect'] },
  reasonString: {
    id: 0x1f,
    type: 'utf8String',
    locations: ['connack', ...acknowledgements, 'disconnect', 'auth'],
  },
  receiveMaximum: { id: 0x21, type: 'twoByteInteger', locations: ['connect', 'connack'] },
  topicAliasMaximum: { id: 0x22, type: 'twoByteInteger', locations: ['connect', 'connack'] },
  topicAlias: { id: 0x23, type: 'twoByteInteger', locations: ['publish'] },
  maximumQoS: { id: 0x24, type: 'byte', locations: ['connack'] },
  retainAvailable: { id: 0x25, type: 'byte', locations: ['connack'] },
  userProperties: {
    id: 0x26,
    type: 'utf8StringPair',
    locations: [
      'connect',
      'will',
      'connack',
      'publish',
      ...acknowledgements,
      'subscribe',
      'unsubscribe',
      'disconnect',
      'auth',
    ],
  },
  maximumPacketSize: { id: 0x27, type: 'fourByteInteger', locations: ['connect', 'connack'] },
  wildcardSubscriptionAvailable: { id: 0x28, type: 'byte', locations: ['connack'] },
  subscriptionIdentifiersAvailable: { id: 0x29, type: 'byte', locations: ['connack'] },
  sharedSubscriptionAvailable: { id: 0x2a, type: 'byte', locations: ['connack'] },
} as const satisfies Record<keyof Properties, PropertyDefinition>;

/** The `Properties` field name of a property. */
export type PropertyName = keyof typeof Property;
