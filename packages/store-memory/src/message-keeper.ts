import type { StoredMessage, StoredSession } from '@mqttkit/contracts';

type Will = NonNullable<StoredSession['will']>;
type Properties = { readonly correlationData?: Uint8Array };

/** How the store takes hold of caller-owned messages: by reference, or as copies of their bytes. */
export interface MessageKeeper {
  /** The message to keep for `message`. */
  readonly message: (message: StoredMessage) => StoredMessage;
  /** The will to keep for `will`. */
  readonly will: (will: Will) => Will;
}

/** Keeps messages and wills as given: the broker never changes a payload once published. */
export const referenceKeeper: MessageKeeper = {
  message: (message) => message,
  will: (will) => will,
};

/** Keeps copies of payloads and correlation data, for callers that reuse their buffers. */
export const copyingKeeper: MessageKeeper = {
  message: (message) => copyBytes(message),
  will: (will) => copyBytes(will),
};

function copyBytes<T extends Pick<StoredMessage, 'payload'> & { readonly properties?: Properties }>(
  value: T,
): T {
  const properties = value.properties;
  const correlationData = properties?.correlationData;
  return {
    ...value,
    payload: new Uint8Array(value.payload),
    ...(properties === undefined || correlationData === undefined
      ? {}
      : { properties: { ...properties, correlationData: new Uint8Array(correlationData) } }),
  };
}
