import type { AuthenticateContext, Hook } from '@mqttkit/contracts';
import { ReasonCode, normalizeDecision } from '@mqttkit/contracts';

/** Options of `throttleFailures`. */
export interface ThrottleFailuresOptions {
  /** Failed authentications from one address, within `windowMs`, that trigger a block. Default 5. */
  readonly maxFailures?: number;
  /** How long failures are remembered. Default 60,000 ms. */
  readonly windowMs?: number;
  /** How long an address stays blocked. Default 60,000 ms. */
  readonly blockMs?: number;
  /** Addresses tracked at once; the least recently seen is forgotten beyond it. Default 10,000. */
  readonly maxAddresses?: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

interface Entry {
  failures: number;
  firstFailureAt: number;
  blockedUntil: number;
}

/**
 * Wraps a hook so that an address with too many failed authentications (deny 0x86/0x87) is
 * refused for a while with 0x9F (connection rate exceeded) without asking the hook, whatever
 * the credentials. A success clears the address. Memory is bounded by `maxAddresses`.
 */
export function throttleFailures<T extends Hook>(hook: T, options: ThrottleFailuresOptions = {}): T {
  const authenticate = hook.authenticate;
  if (authenticate === undefined) return hook;
  const maxFailures = options.maxFailures ?? 5;
  const windowMs = options.windowMs ?? 60_000;
  const blockMs = options.blockMs ?? 60_000;
  const maxAddresses = options.maxAddresses ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  function remember(address: string, entry: Entry): void {
    // Re-inserting moves the address to the end, so the first key is the least recently seen.
    entries.delete(address);
    entries.set(address, entry);
    if (entries.size > maxAddresses) entries.delete(entries.keys().next().value!);
  }

  return {
    ...hook,
    async authenticate(context: AuthenticateContext) {
      const address = context.client.remoteAddress;
      const time = now();
      const entry = entries.get(address);
      if (entry !== undefined && entry.blockedUntil > time) {
        return {
          deny: ReasonCode.ConnectionRateExceeded,
          reason: `${address} is blocked after ${entry.failures} failures`,
          decidedBy: 'throttle',
        };
      }
      const decision = await authenticate.call(hook, context);
      const { outcome, reasonCode } = normalizeDecision(decision, hook.name);
      if (outcome === 'allow') {
        entries.delete(address);
      } else if (
        outcome === 'deny' &&
        (reasonCode === ReasonCode.BadUserNameOrPassword || reasonCode === ReasonCode.NotAuthorized)
      ) {
        const current =
          entry === undefined || time - entry.firstFailureAt > windowMs
            ? { failures: 0, firstFailureAt: time, blockedUntil: 0 }
            : entry;
        current.failures += 1;
        if (current.failures >= maxFailures) current.blockedUntil = time + blockMs;
        remember(address, current);
      }
      return decision;
    },
  };
}
