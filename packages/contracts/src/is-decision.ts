import type { AuthenticationDecision } from './authenticate-context.js';
import type { Decision } from './decision.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function hasValidExplanation(value: Record<string, unknown>): boolean {
  return (
    (value.reason === undefined || typeof value.reason === 'string') &&
    (value.decidedBy === undefined || typeof value.decidedBy === 'string')
  );
}

function isFailureCode(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0x80 && value <= 0xff;
}

function isOptionalStringList(value: unknown): boolean {
  return value === undefined || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
}

/** Whether a value is one of the shapes `authorizePublish`/`authorizeSubscribe` may return. */
export function isDecision(value: unknown): value is Decision {
  if (value === 'allow' || value === 'defer') return true;
  if (!isRecord(value) || !hasValidExplanation(value)) return false;
  const forms = ['allow' in value, 'deny' in value, 'defer' in value, 'continue' in value].filter(
    Boolean,
  ).length;
  if (forms !== 1) return false;
  if ('allow' in value) return value.allow === true;
  if ('defer' in value) return value.defer === true;
  if ('deny' in value) return isFailureCode(value.deny);
  return false;
}

/** Whether a value is one of the shapes `authenticate` may return. */
export function isAuthenticationDecision(value: unknown): value is AuthenticationDecision {
  if (isRecord(value) && 'continue' in value) {
    const others = 'allow' in value || 'deny' in value || 'defer' in value;
    return (
      !others &&
      value.continue === true &&
      value.authenticationData instanceof Uint8Array &&
      hasValidExplanation(value)
    );
  }
  if (!isDecision(value)) return false;
  if (!isRecord(value) || !('allow' in value)) return true;
  return (
    (value.username === undefined || typeof value.username === 'string') &&
    isOptionalStringList(value.roles) &&
    (value.attributes === undefined || isRecord(value.attributes)) &&
    (value.authenticationData === undefined || value.authenticationData instanceof Uint8Array)
  );
}
