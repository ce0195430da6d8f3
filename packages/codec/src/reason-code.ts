/**
 * Every MQTT 5.0 reason code (spec section 2.4), by name. MQTT 3.1.1 return codes and SUBACK
 * values share this table: a 3.1.1 SUBACK failure is 0x80 and granted QoS values are 0, 1 and 2.
 */
export const ReasonCode = {
  Success: 0x00,
  NormalDisconnection: 0x00,
  GrantedQoS0: 0x00,
  GrantedQoS1: 0x01,
  GrantedQoS2: 0x02,
  DisconnectWithWillMessage: 0x04,
  NoMatchingSubscribers: 0x10,
  NoSubscriptionExisted: 0x11,
  ContinueAuthentication: 0x18,
  ReAuthenticate: 0x19,
  UnspecifiedError: 0x80,
  MalformedPacket: 0x81,
  ProtocolError: 0x82,
  ImplementationSpecificError: 0x83,
  UnsupportedProtocolVersion: 0x84,
  ClientIdentifierNotValid: 0x85,
  BadUserNameOrPassword: 0x86,
  NotAuthorized: 0x87,
  ServerUnavailable: 0x88,
  ServerBusy: 0x89,
  Banned: 0x8a,
  ServerShuttingDown: 0x8b,
  BadAuthenticationMethod: 0x8c,
  KeepAliveTimeout: 0x8d,
  SessionTakenOver: 0x8e,
  TopicFilterInvalid: 0x8f,
  TopicNameInvalid: 0x90,
  PacketIdentifierInUse: 0x91,
  PacketIdentifierNotFound: 0x92,
  ReceiveMaximumExceeded: 0x93,
  TopicAliasInvalid: 0x94,
  PacketTooLarge: 0x95,
  MessageRateTooHigh: 0x96,
  QuotaExceeded: 0x97,
  AdministrativeAction: 0x98,
  PayloadFormatInvalid: 0x99,
  RetainNotSupported: 0x9a,
  QoSNotSupported: 0x9b,
  UseAnotherServer: 0x9c,
  ServerMoved: 0x9d,
  SharedSubscriptionsNotSupported: 0x9e,
  ConnectionRateExceeded: 0x9f,
  MaximumConnectTime: 0xa0,
  SubscriptionIdentifiersNotSupported: 0xa1,
  WildcardSubscriptionsNotSupported: 0xa2,
} as const;

/** A reason code value of the table above. */
export type ReasonCode = (typeof ReasonCode)[keyof typeof ReasonCode];

/** The MQTT 3.1.1 CONNACK return codes (3.1.1 section 3.2.2.3). */
export const ConnackReturnCode = {
  Accepted: 0,
  UnacceptableProtocolVersion: 1,
  IdentifierRejected: 2,
  ServerUnavailable: 3,
  BadUserNameOrPassword: 4,
  NotAuthorized: 5,
} as const;

export type ConnackReturnCode = (typeof ConnackReturnCode)[keyof typeof ConnackReturnCode];

/**
 * Maps an MQTT 5 CONNACK reason code to the closest MQTT 3.1.1 return code. 3.1.1 has six codes, so
 * every other failure becomes "server unavailable", the code 3.1.1 clients treat as "try again later".
 */
export function toV3ConnackReturnCode(reasonCode: number): ConnackReturnCode {
  switch (reasonCode) {
    case ReasonCode.Success:
      return ConnackReturnCode.Accepted;
    case ReasonCode.UnsupportedProtocolVersion:
      return ConnackReturnCode.UnacceptableProtocolVersion;
    case ReasonCode.ClientIdentifierNotValid:
      return ConnackReturnCode.IdentifierRejected;
    case ReasonCode.BadUserNameOrPassword:
    case ReasonCode.BadAuthenticationMethod:
      return ConnackReturnCode.BadUserNameOrPassword;
    case ReasonCode.NotAuthorized:
    case ReasonCode.Banned:
      return ConnackReturnCode.NotAuthorized;
    default:
      return ConnackReturnCode.ServerUnavailable;
  }
}

/** Maps an MQTT 3.1.1 CONNACK return code to the MQTT 5 reason code with the same meaning. */
export function fromV3ConnackReturnCode(returnCode: number): ReasonCode {
  switch (returnCode) {
    case ConnackReturnCode.Accepted:
      return ReasonCode.Success;
    case ConnackReturnCode.UnacceptableProtocolVersion:
      return ReasonCode.UnsupportedProtocolVersion;
    case ConnackReturnCode.IdentifierRejected:
      return ReasonCode.ClientIdentifierNotValid;
    case ConnackReturnCode.BadUserNameOrPassword:
      return ReasonCode.BadUserNameOrPassword;
    case ConnackReturnCode.NotAuthorized:
      return ReasonCode.NotAuthorized;
    default:
      return ReasonCode.ServerUnavailable;
  }
}
