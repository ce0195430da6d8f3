import { ReasonCode } from '@mqttkit/codec';
import type { AuthenticationDecision } from './authenticate-context.js';
import type { NormalizedDecision } from './decision.js';
import { isAuthenticationDecision } from './is-decision.js';

/**
 * Expands a decision (any shorthand or object form) into one shape, naming `hookName` as the
 * provider unless the decision names one itself. Throws a `TypeError` for a value that is not a
 * decision: a hook returning one is a programming error, and the caller treats it as a deny.
 */
export function normalizeDecision(decision: AuthenticationDecision, hookName: string): NormalizedDecision {
  if (!isAuthenticationDecision(decision)) {
    throw new TypeError(`hook "${hookName}" returned something that is not a decision`);
  }
  if (decision === 'allow') return { outcome: 'allow', reasonCode: ReasonCode.Success, decidedBy: hookName };
  if (decision === 'defer') return { outcome: 'defer', decidedBy: hookName };
  const explanation = {
    decidedBy: decision.decidedBy ?? hookName,
    ...(decision.reason === undefined ? {} : { reason: decision.reason }),
  };
  if ('allow' in decision) return { outcome: 'allow', reasonCode: ReasonCode.Success, ...explanation };
  if ('deny' in decision) return { outcome: 'deny', reasonCode: decision.deny, ...explanation };
  if ('continue' in decision) {
    return { outcome: 'continue', reasonCode: ReasonCode.ContinueAuthentication, ...explanation };
  }
  return { outcome: 'defer', ...explanation };
}
