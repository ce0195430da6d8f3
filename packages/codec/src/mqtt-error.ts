import { ReasonCode } from './reason-code.js';

const marker = Symbol.for('@mqttkit/mqtt.error');

/** Stable machine-readable error codes of the `MqttError` family. */
export type MqttErrorCode =
  | 'MQTT_MALFORMED_PACKET'
  | 'MQTT_PROTOCOL_ERROR'
  | 'MQTT_PACKET_TOO_LARGE'
  | 'MQTT_UNSUPPORTED_PROTOCOL_VERSION'
  | 'MQTT_NOT_AUTHORIZED'
  | 'MQTT_QUOTA_EXCEEDED'
  | 'MQTT_DECODER_CLOSED'
  | 'MQTT_INVALID_ARGUMENT';

/** Options of every `MqttError`: the standard `cause` plus the normative statement that was broken. */
export interface MqttErrorOptions extends ErrorOptions {
  /** The normative statement id, such as `MQTT-3.1.2-4`, when one applies. */
  readonly statement?: string;
}

/** What every `MqttError` is built from. */
export interface MqttErrorInit extends MqttErrorOptions {
  readonly code: MqttErrorCode;
  readonly reasonCode: ReasonCode;
}

/**
 * The root of every error mqttkit throws for MQTT reasons (STYLE HS-16). `code` is stable,
 * `reasonCode` is the MQTT 5 reason code to send the peer, `statement` names the broken rule.
 */
export class MqttError extends Error {
  override readonly name: string = 'MqttError';
  readonly code: MqttErrorCode;
  readonly reasonCode: ReasonCode;
  readonly statement: string | undefined;
  private readonly [marker] = true;

  constructor(message: string, init: MqttErrorInit) {
    super(
      init.statement ? `${message} [${init.statement}]` : message,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.code = init.code;
    this.reasonCode = init.reasonCode;
    this.statement = init.statement;
  }

  /** True for any `MqttError`, even one created by another copy of this package. */
  static isInstance(error: unknown): error is MqttError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

/** The bytes do not form a valid packet (reason code 0x81). */
export class MalformedPacketError extends MqttError {
  override readonly name = 'MalformedPacketError';
  constructor(message: string, options?: MqttErrorOptions) {
    super(message, { ...options, code: 'MQTT_MALFORMED_PACKET', reasonCode: ReasonCode.MalformedPacket });
  }
}

/** A well-formed packet that the protocol does not allow here (reason code 0x82). */
export class ProtocolError extends MqttError {
  override readonly name = 'ProtocolError';
  constructor(message: string, options?: MqttErrorOptions) {
    super(message, { ...options, code: 'MQTT_PROTOCOL_ERROR', reasonCode: ReasonCode.ProtocolError });
  }
}

/** A packet larger than the maximum packet size (reason code 0x95). */
export class PacketTooLargeError extends MqttError {
  override readonly name = 'PacketTooLargeError';
  constructor(message: string, options?: MqttErrorOptions) {
    super(message, { ...options, code: 'MQTT_PACKET_TOO_LARGE', reasonCode: ReasonCode.PacketTooLarge });
  }
}

/**
 * A CONNECT whose protocol name or level this codec does not speak (reason code 0x84). The server
 * answers it with CONNACK 0x84 (3.1.1: return code 1) before closing [MQTT-3.1.2-2].
 */
export class UnsupportedProtocolVersionError extends MqttError {
  override readonly name = 'UnsupportedProtocolVersionError';
  constructor(message: string, options?: MqttErrorOptions) {
    super(message, {
      ...options,
      code: 'MQTT_UNSUPPORTED_PROTOCOL_VERSION',
      reasonCode: ReasonCode.UnsupportedProtocolVersion,
    });
  }
}

/** The client may not do what it asked (reason code 0x87). */
export class NotAuthorizedError extends MqttError {
  override readonly name = 'NotAuthorizedError';
  constructor(message: string, options?: MqttErrorOptions) {
    super(message, { ...options, code: 'MQTT_NOT_AUTHORIZED', reasonCode: ReasonCode.NotAuthorized });
  }
}

/** A limit was reached (reason code 0x97). */
export class QuotaExceededError extends MqttError {
  override readonly name = 'QuotaExceededError';
  constructor(message: string, options?: MqttErrorOptions) {
    super(message, { ...options, code: 'MQTT_QUOTA_EXCEEDED', reasonCode: ReasonCode.QuotaExceeded });
  }
}
