import type { StoredMessage, StoredOutboundRecord } from '@mqttkit/contracts';
import { decodeBinaryRecord } from './record-codec.js';
import type { SessionHeader } from './session-mirror.js';

// Shape checks of what comes back from disk: enough to refuse an entry another program or a
// damaged page wrote, not a full validation of the protocol values (the broker wrote them).

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function fail(what: string): never {
  throw new TypeError(`malformed ${what}`);
}

export function decodeMessage(value: unknown, what = 'message'): StoredMessage {
  if (
    !isObject(value) ||
    typeof value.topic !== 'string' ||
    !(value.payload instanceof Uint8Array) ||
    !isNumber(value.qos) ||
    typeof value.retain !== 'boolean'
  ) {
    fail(what);
  }
  if (value.properties !== undefined && !isObject(value.properties)) fail(`${what} properties`);
  return value as unknown as StoredMessage;
}

export function decodeHeader(value: unknown): SessionHeader {
  if (
    !isObject(value) ||
    typeof value.clientId !== 'string' ||
    !isNumber(value.protocolVersion) ||
    typeof value.established !== 'boolean' ||
    !isNumber(value.sessionExpiryInterval) ||
    !Array.isArray(value.subscriptions) ||
    !Array.isArray(value.inbound)
  ) {
    fail('session');
  }
  for (const subscription of value.subscriptions) {
    if (!isObject(subscription) || typeof subscription.topicFilter !== 'string') fail('subscription');
  }
  if (!value.inbound.every(isNumber)) fail('packet id list');
  if (value.will !== undefined) decodeMessage(value.will, 'will');
  return value as unknown as SessionHeader;
}

export function decodeCounters(value: unknown): readonly [number, number] {
  if (!Array.isArray(value) || value.length !== 2 || !isNumber(value[0]) || !isNumber(value[1]))
    fail('counters');
  return [value[0], value[1]];
}

export function decodeRecord(value: unknown): StoredOutboundRecord {
  if (value instanceof Uint8Array) return decodeBinaryRecord(value);
  if (
    !isObject(value) ||
    !isNumber(value.sequence) ||
    !isNumber(value.qos) ||
    typeof value.retain !== 'boolean' ||
    !isNumber(value.bytes) ||
    (value.phase !== 'queued' && value.phase !== 'publish' && value.phase !== 'pubrel')
  ) {
    fail('outbound record');
  }
  decodeMessage(value.message, 'outbound message');
  return value as unknown as StoredOutboundRecord;
}
