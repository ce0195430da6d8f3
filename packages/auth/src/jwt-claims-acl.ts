import { matchTopic, validateTopicFilter } from '@mqttkit/topics';
import type { JWTPayload } from 'jose';
import { topicFilterCovers } from './topic-filter-covers.js';

/**
 * The access a verified token grants, read from its claims: the filters it may publish to and
 * subscribe to (absent when the token has no such claim), and when it expires.
 */
export interface JwtClaimsAcl {
  readonly publish?: readonly string[];
  readonly subscribe?: readonly string[];
  /** `exp` in seconds since the epoch, when the token has one. */
  readonly expiresAt?: number;
}

/** Names of the claims holding the ACL lists. */
export interface JwtAclClaimNames {
  /** Claim with the topic filters the client may publish to. Default `publish`. */
  readonly publish?: string;
  /** Claim with the topic filters the client may subscribe to. Default `subscribe`. */
  readonly subscribe?: string;
}

function filterList(payload: JWTPayload, claim: string): readonly string[] | undefined {
  if (!Object.hasOwn(payload, claim)) return undefined;
  const value = payload[claim];
  const list = typeof value === 'string' ? [value] : value;
  // A malformed list grants nothing rather than failing open or rejecting the whole token.
  if (!Array.isArray(list)) return [];
  return list.filter(
    (item): item is string => typeof item === 'string' && validateTopicFilter(item) === undefined,
  );
}

/** Reads the ACL lists of a verified payload. */
export function readJwtClaimsAcl(payload: JWTPayload, names: JwtAclClaimNames = {}): JwtClaimsAcl {
  const publish = filterList(payload, names.publish ?? 'publish');
  const subscribe = filterList(payload, names.subscribe ?? 'subscribe');
  return {
    ...(publish === undefined ? {} : { publish }),
    ...(subscribe === undefined ? {} : { subscribe }),
    ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp } : {}),
  };
}

/** Whether a list of allowed filters lets a client publish to `topic`. */
export function claimsAllowPublish(filters: readonly string[], topic: string): string | undefined {
  return filters.find((filter) => matchTopic(filter, topic));
}

/** Whether a list of allowed filters lets a client subscribe to `topicFilter`; returns the filter that does. */
export function claimsAllowSubscribe(filters: readonly string[], topicFilter: string): string | undefined {
  return filters.find((filter) => topicFilterCovers(filter, topicFilter));
}
