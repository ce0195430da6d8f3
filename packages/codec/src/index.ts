export {
  ReasonCode,
  ConnackReturnCode,
  toV3ConnackReturnCode,
  fromV3ConnackReturnCode,
} from './reason-code.js';
export {
  MqttError,
  MalformedPacketError,
  ProtocolError,
  PacketTooLargeError,
  UnsupportedProtocolVersionError,
  NotAuthorizedError,
  QuotaExceededError,
} from './mqtt-error.js';
export { QoS, PacketType } from './packet.js';
export { Property } from './property.js';
export { createDecoder, maximumPacketSizeLimit } from './decoder.js';
export { encode, encodeInto, encodedLength } from './encode.js';
export { setPacketId, withPacketId } from './set-packet-id.js';
export type { MqttErrorCode, MqttErrorOptions, MqttErrorInit } from './mqtt-error.js';
export type { PropertyDataType, PropertyDefinition, PropertyLocation, PropertyName } from './property.js';
export type { Decoder, DecoderOptions } from './decoder.js';
export type { EncodeIntoOptions } from './encode.js';
export type {
  ProtocolVersion,
  UserProperty,
  Properties,
  ConnectProperties,
  WillProperties,
  ConnackProperties,
  PublishProperties,
  AckProperties,
  SubscribeProperties,
  UnsubscribeProperties,
  DisconnectProperties,
  AuthProperties,
  Will,
  Connect,
  Connack,
  Publish,
  Acknowledgement,
  Puback,
  Pubrec,
  Pubrel,
  Pubcomp,
  Subscription,
  Subscribe,
  Suback,
  Unsubscribe,
  Unsuback,
  Pingreq,
  Pingresp,
  Disconnect,
  Auth,
  Packet,
} from './packet.js';
