import { MqttError, ReasonCode } from '@mqttkit/codec';
import { createSessionCapabilities, defaultSessionCapabilities } from '@mqttkit/session';
import type { SessionCapabilities } from '@mqttkit/session';

/**
 * Every limit of the broker in one validated object (STYLE HS-22): the session limits, whose
 * values fill the MQTT 5 CONNACK properties, plus the limits of connections and memory.
 */
export interface BrokerCapabilities extends SessionCapabilities {
  /** Connections served at once; a CONNECT beyond it is refused with 0x97 (3.1.1: server unavailable). */
  readonly maximumConnections: number;
  /** Milliseconds a new connection may take to send CONNECT before it is closed. */
  readonly connectTimeout: number;
  /** Milliseconds the authentication hooks may take for one CONNECT or AUTH round. */
  readonly authenticationTimeout: number;
  /** Bytes a connection may have waiting in its socket before QoS 0 messages to it are dropped. */
  readonly maximumWriteBuffer: number;
  /** Milliseconds a connection may stay over `maximumWriteBuffer` before it is closed as a slow consumer (0x97). */
  readonly drainTimeout: number;
  /** Bytes a connection may have received but not handled (while a hook is pending) before reading pauses. */
  readonly maximumInboundBuffer: number;
  /**
   * Bytes of message data held for all clients together (queued, inflight and unsent). Past it the
   * broker refuses QoS 0 deliveries first, then closes the slowest consumers with 0x97.
   */
  readonly memoryBudget: number;
  /** Seconds between `$SYS` updates; 0 turns `$SYS` off. */
  readonly sysInterval: number;
}

/** The input of `createBrokerCapabilities`: any subset, the rest defaults. */
export type BrokerCapabilitiesInput = Partial<BrokerCapabilities>;

const brokerDefaults = {
  maximumConnections: 100_000,
  connectTimeout: 10_000,
  authenticationTimeout: 10_000,
  maximumWriteBuffer: 1024 * 1024,
  drainTimeout: 30_000,
  maximumInboundBuffer: 1024 * 1024,
  memoryBudget: 512 * 1024 * 1024,
  sysInterval: 10,
} as const satisfies Omit<BrokerCapabilities, keyof SessionCapabilities>;

type BrokerOnlyKey = keyof typeof brokerDefaults;

const ranges: Record<BrokerOnlyKey, readonly [number, number]> = {
  maximumConnections: [1, Number.MAX_SAFE_INTEGER],
  connectTimeout: [1, 3_600_000],
  authenticationTimeout: [1, 3_600_000],
  maximumWriteBuffer: [1024, Number.MAX_SAFE_INTEGER],
  drainTimeout: [1, 3_600_000],
  maximumInboundBuffer: [1024, Number.MAX_SAFE_INTEGER],
  memoryBudget: [1024 * 1024, Number.MAX_SAFE_INTEGER],
  sysInterval: [0, 86_400],
};

/** Every default, for documentation and `mqttkit config print`. */
export const defaultBrokerCapabilities: BrokerCapabilities = Object.freeze({
  ...defaultSessionCapabilities,
  ...brokerDefaults,
});

/**
 * Fills in defaults and validates every value; throws an `MqttError` with code
 * `MQTT_INVALID_ARGUMENT` naming the bad key. The result is frozen.
 */
export function createBrokerCapabilities(input: BrokerCapabilitiesInput = {}): BrokerCapabilities {
  const sessionInput: Record<string, unknown> = {};
  const brokerValues: Record<string, number> = { ...brokerDefaults };
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (key in brokerDefaults) {
      const [minimum, maximum] = ranges[key as BrokerOnlyKey];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum) {
        throw new MqttError(
          `Broker capability '${key}' must be an integer from ${minimum} to ${maximum}, got ${String(value)}`,
          { code: 'MQTT_INVALID_ARGUMENT', reasonCode: ReasonCode.ImplementationSpecificError },
        );
      }
      brokerValues[key] = value;
    } else {
      sessionInput[key] = value;
    }
  }
  const session = createSessionCapabilities(sessionInput);
  return Object.freeze({ ...session, ...brokerValues } as BrokerCapabilities);
}
