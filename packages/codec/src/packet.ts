// The packet model: one discriminated union on `type` for MQTT 3.1, 3.1.1 and 5.0 (STYLE HS-14).
// Field names follow the MQTT 5 specification. Version differences stay in the codec: a 3.1.1
// CONNACK return code is decoded to the MQTT 5 reason code with the same meaning, 3.1.1 SUBACK
// values are already MQTT 5 reason codes, and properties are simply absent below version 5.

/** The protocol level byte of CONNECT: 3 = MQTT 3.1 (`MQIsdp`), 4 = MQTT 3.1.1, 5 = MQTT 5.0. */
export type ProtocolVersion = 3 | 4 | 5;

/** Quality of service levels. */
export const QoS = { AtMostOnce: 0, AtLeastOnce: 1, ExactlyOnce: 2 } as const;
export type QoS = (typeof QoS)[keyof typeof QoS];

/** Control packet types and their values in the fixed header (spec 2.1.2). */
export const PacketType = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  pubrec: 5,
  pubrel: 6,
  pubcomp: 7,
  subscribe: 8,
  suback: 9,
  unsubscribe: 10,
  unsuback: 11,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
  auth: 15,
} as const;
export type PacketType = keyof typeof PacketType;

/** A name/value pair of the User Property (0x26). Order and duplicates are kept. */
export type UserProperty = readonly [name: string, value: string];

/**
 * Every MQTT 5 property (spec 2.2.2.2) under its spec name. Each packet type narrows this to the
 * properties the spec allows in it; the decoder rejects a property in the wrong packet.
 */
export interface Properties {
  /** 0x01, byte: 0 = unspecified bytes, 1 = UTF-8 encoded character data. */
  payloadFormatIndicator?: 0 | 1;
  /** 0x02, four-byte integer, seconds. */
  messageExpiryInterval?: number;
  /** 0x03, UTF-8 string. */
  contentType?: string;
  /** 0x08, UTF-8 string (a topic name). */
  responseTopic?: string;
  /** 0x09, binary data. */
  correlationData?: Uint8Array;
  /** 0x0B, variable byte integer 1..268,435,455; several in a PUBLISH sent to a subscriber. */
  subscriptionIdentifiers?: number[];
  /** 0x11, four-byte integer, seconds. */
  sessionExpiryInterval?: number;
  /** 0x12, UTF-8 string. */
  assignedClientIdentifier?: string;
  /** 0x13, two-byte integer, seconds. */
  serverKeepAlive?: number;
  /** 0x15, UTF-8 string. */
  authenticationMethod?: string;
  /** 0x16, binary data. */
  authenticationData?: Uint8Array;
  /** 0x17, byte 0 or 1. */
  requestProblemInformation?: boolean;
  /** 0x18, four-byte integer, seconds. */
  willDelayInterval?: number;
  /** 0x19, byte 0 or 1. */
  requestResponseInformation?: boolean;
  /** 0x1A, UTF-8 string. */
  responseInformation?: string;
  /** 0x1C, UTF-8 string. */
  serverReference?: string;
  /** 0x1F, UTF-8 string. */
  reasonString?: string;
  /** 0x21, two-byte integer, 1..65,535. */
  receiveMaximum?: number;
  /** 0x22, two-byte integer. */
  topicAliasMaximum?: number;
  /** 0x23, two-byte integer, 1..65,535. */
  topicAlias?: number;
  /** 0x24, byte 0 or 1. */
  maximumQoS?: 0 | 1;
  /** 0x25, byte 0 or 1. */
  retainAvailable?: boolean;
  /** 0x26, UTF-8 string pairs, any number, order kept. */
  userProperties?: UserProperty[];
  /** 0x27, four-byte integer, 1..4,294,967,295 bytes. */
  maximumPacketSize?: number;
  /** 0x28, byte 0 or 1. */
  wildcardSubscriptionAvailable?: boolean;
  /** 0x29, byte 0 or 1. */
  subscriptionIdentifiersAvailable?: boolean;
  /** 0x2A, byte 0 or 1. */
  sharedSubscriptionAvailable?: boolean;
}

export type ConnectProperties = Pick<
  Properties,
  | 'sessionExpiryInterval'
  | 'receiveMaximum'
  | 'maximumPacketSize'
  | 'topicAliasMaximum'
  | 'requestResponseInformation'
  | 'requestProblemInformation'
  | 'userProperties'
  | 'authenticationMethod'
  | 'authenticationData'
>;
export type WillProperties = Pick<
  Properties,
  | 'willDelayInterval'
  | 'payloadFormatIndicator'
  | 'messageExpiryInterval'
  | 'contentType'
  | 'responseTopic'
  | 'correlationData'
  | 'userProperties'
>;
export type ConnackProperties = Pick<
  Properties,
  | 'sessionExpiryInterval'
  | 'receiveMaximum'
  | 'maximumQoS'
  | 'retainAvailable'
  | 'maximumPacketSize'
  | 'assignedClientIdentifier'
  | 'topicAliasMaximum'
  | 'reasonString'
  | 'userProperties'
  | 'wildcardSubscriptionAvailable'
  | 'subscriptionIdentifiersAvailable'
  | 'sharedSubscriptionAvailable'
  | 'serverKeepAlive'
  | 'responseInformation'
  | 'serverReference'
  | 'authenticationMethod'
  | 'authenticationData'
>;
export type PublishProperties = Pick<
  Properties,
  | 'payloadFormatIndicator'
  | 'messageExpiryInterval'
  | 'topicAlias'
  | 'responseTopic'
  | 'correlationData'
  | 'userProperties'
  | 'subscriptionIdentifiers'
  | 'contentType'
>;
/** PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK and UNSUBACK carry only these. */
export type AckProperties = Pick<Properties, 'reasonString' | 'userProperties'>;
/** SUBSCRIBE carries at most one subscription identifier. */
export type SubscribeProperties = Pick<Properties, 'subscriptionIdentifiers' | 'userProperties'>;
export type UnsubscribeProperties = Pick<Properties, 'userProperties'>;
export type DisconnectProperties = Pick<
  Properties,
  'sessionExpiryInterval' | 'reasonString' | 'userProperties' | 'serverReference'
>;
export type AuthProperties = Pick<
  Properties,
  'authenticationMethod' | 'authenticationData' | 'reasonString' | 'userProperties'
>;

/** The will message of a CONNECT. */
export interface Will {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  properties?: WillProperties;
}

export interface Connect {
  type: 'connect';
  /** `MQTT` for levels 4 and 5, `MQIsdp` for level 3. The encoder derives it when absent. */
  protocolName?: 'MQTT' | 'MQIsdp';
  protocolVersion: ProtocolVersion;
  /** Clean Session (3.1.1) or Clean Start (5.0). */
  clean: boolean;
  /** Seconds; 0 turns keep alive off. */
  keepAlive: number;
  clientId: string;
  will?: Will;
  username?: string;
  password?: Uint8Array;
  properties?: ConnectProperties;
}

export interface Connack {
  type: 'connack';
  sessionPresent: boolean;
  /** An MQTT 5 reason code; the encoder maps it to a 3.1.1 return code with `toV3ConnackReturnCode`. */
  reasonCode: number;
  properties?: ConnackProperties;
}

export interface Publish {
  type: 'publish';
  topic: string;
  /** A view into the decoder's input where possible: copy it to keep it past the next `push`. */
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  /** Present exactly when `qos` is 1 or 2. */
  packetId?: number;
  properties?: PublishProperties;
}

/** PUBACK, PUBREC, PUBREL and PUBCOMP share one shape. */
export interface Acknowledgement<T extends 'puback' | 'pubrec' | 'pubrel' | 'pubcomp'> {
  type: T;
  packetId: number;
  /** MQTT 5 only; absent or 0 means success. */
  reasonCode?: number;
  properties?: AckProperties;
}
export type Puback = Acknowledgement<'puback'>;
export type Pubrec = Acknowledgement<'pubrec'>;
export type Pubrel = Acknowledgement<'pubrel'>;
export type Pubcomp = Acknowledgement<'pubcomp'>;

/** One topic filter of a SUBSCRIBE with its subscription options. */
export interface Subscription {
  topicFilter: string;
  /** The maximum QoS the client accepts. */
  qos: QoS;
  /** MQTT 5: do not send this client its own messages. False below version 5. */
  noLocal: boolean;
  /** MQTT 5: keep the RETAIN flag of forwarded messages. False below version 5. */
  retainAsPublished: boolean;
  /** MQTT 5: 0 send retained on subscribe, 1 only for a new subscription, 2 never. 0 below version 5. */
  retainHandling: 0 | 1 | 2;
}

export interface Subscribe {
  type: 'subscribe';
  packetId: number;
  subscriptions: Subscription[];
  properties?: SubscribeProperties;
}

export interface Suback {
  type: 'suback';
  packetId: number;
  /** Granted QoS (0, 1, 2) or a failure code (>= 0x80), one per subscription, in order. */
  reasonCodes: number[];
  properties?: AckProperties;
}

export interface Unsubscribe {
  type: 'unsubscribe';
  packetId: number;
  topicFilters: string[];
  properties?: UnsubscribeProperties;
}

export interface Unsuback {
  type: 'unsuback';
  packetId: number;
  /** MQTT 5 only: one per topic filter. Empty below version 5. */
  reasonCodes: number[];
  properties?: AckProperties;
}

export interface Pingreq {
  type: 'pingreq';
}

export interface Pingresp {
  type: 'pingresp';
}

export interface Disconnect {
  type: 'disconnect';
  /** MQTT 5 only; absent means normal disconnection (0x00). */
  reasonCode?: number;
  properties?: DisconnectProperties;
}

export interface Auth {
  type: 'auth';
  /** 0x00 success, 0x18 continue authentication, 0x19 re-authenticate. */
  reasonCode: number;
  properties?: AuthProperties;
}

/** Every MQTT control packet. */
export type Packet =
  | Connect
  | Connack
  | Publish
  | Puback
  | Pubrec
  | Pubrel
  | Pubcomp
  | Subscribe
  | Suback
  | Unsubscribe
  | Unsuback
  | Pingreq
  | Pingresp
  | Disconnect
  | Auth;
