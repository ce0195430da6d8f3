import type { Hook } from '@mqttkit/contracts';
import { AclPolicy } from './acl-policy.js';
import type { AclRules } from './acl-rule.js';

/** Options of `acl`. */
export interface AclOptions extends AclRules {
  /** What to answer when no rule grants access: `deny` with 0x87 (default) or `defer` to the next hook. */
  readonly noMatch?: 'deny' | 'defer';
  /** Hook name. Default `acl`. */
  readonly name?: string;
}

/**
 * Authorizes publishes and subscriptions with rules per user, per role and for everyone. Denied
 * publishes get 0x87 (MQTT 5 PUBACK/PUBREC; the broker acknowledges and drops for 3.1.1), denied
 * subscriptions SUBACK 0x87 (0x80 for 3.1.1). See `AclPolicy` for the exact matching rules.
 */
export function acl(options: AclOptions): Hook {
  const policy = new AclPolicy(options, options.noMatch);
  return {
    name: options.name ?? 'acl',
    authorizePublish: ({ client, topic }) => policy.check({ client, action: 'publish', topic }),
    authorizeSubscribe: ({ client, topicFilter }) =>
      policy.check({ client, action: 'subscribe', topic: topicFilter }),
  };
}
