// Hooks for the conformance tests: allow everyone quietly, refuse one topic prefix so the broker's
// failure reason codes can be observed, and wait until the broker processed a disconnection.
import { allowAll } from '@mqttkit/auth';
import { ReasonCode } from '@mqttkit/codec';
import type { Decision, Hook } from '@mqttkit/contracts';

/** `allowAll()` without its development warning. */
export const allowEveryone = (): Hook => allowAll({ logger: { warn: () => {} } });

/** Topics and filters under this prefix are refused with 0x87 (Not authorized). */
export const deniedPrefix = 'conformance/denied/';

/**
 * Topics and filters under this prefix are refused with 0x86 (Bad User Name or Password), a code
 * that only CONNACK defines: the broker must put a code of its own into PUBACK, PUBREC and SUBACK.
 */
export const deniedUndefinedPrefix = 'conformance/denied-0x86/';

const denial = (name: string): Decision =>
  name.startsWith(deniedPrefix)
    ? { deny: ReasonCode.NotAuthorized, reason: 'test rule' }
    : name.startsWith(deniedUndefinedPrefix)
      ? { deny: ReasonCode.BadUserNameOrPassword, reason: 'test rule' }
      : 'defer';

/** Denies publishing to and subscribing under the two denied prefixes, defers everything else. */
export const denyHook: Hook = {
  name: 'conformance-deny',
  authorizePublish: ({ topic }) => denial(topic),
  authorizeSubscribe: ({ topicFilter }) => denial(topicFilter),
};

/** `denyHook` first, then allow everything else. */
export const denyThenAllow = (): Hook[] => [denyHook, allowEveryone()];

/** A notification hook that lets a test wait until the broker processed a client's disconnection. */
export interface DisconnectWatch {
  readonly hook: Hook;
  /** Resolves once the connection of `clientId` closed (now or earlier). */
  gone(clientId: string): Promise<void>;
}

export function watchDisconnects(): DisconnectWatch {
  const seen = new Set<string>();
  const waiters = new Map<string, () => void>();
  return {
    hook: {
      name: 'conformance-disconnect-watch',
      onClientDisconnected({ client }) {
        seen.add(client.clientId);
        waiters.get(client.clientId)?.();
      },
    },
    gone(clientId) {
      if (seen.has(clientId)) return Promise.resolve();
      return new Promise((resolve) => waiters.set(clientId, resolve));
    },
  };
}
