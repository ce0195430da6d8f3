import type { ClientInfo, Decision } from '@mqttkit/contracts';
import { ReasonCode } from '@mqttkit/contracts';
import { matchTopic, validateTopicFilter, validateTopicName } from '@mqttkit/topics';
import type { AclAccess, AclRule, AclRules } from './acl-rule.js';
import { topicFilterCovers, topicFiltersOverlap } from './topic-filter-covers.js';

/** A request an ACL answers: publish to a topic name, or subscribe to a topic filter. */
export interface AclRequest {
  /** The asking client. */
  readonly client: Pick<ClientInfo, 'clientId' | 'username' | 'roles'>;
  /** `publish` needs write access, `subscribe` read access. */
  readonly action: 'publish' | 'subscribe';
  /** The topic name (publish) or the topic filter without `$share/<name>/` (subscribe). */
  readonly topic: string;
}

interface CompiledRule {
  readonly access: AclAccess;
  readonly filter: string;
  readonly substitute: boolean;
  readonly source: string;
}

const unsafeInFilter = /[+#/]/;

function describeRule(rule: CompiledRule, filter: string): string {
  const expanded = filter === rule.filter ? '' : ` = ${filter}`;
  return `${rule.source}: ${rule.access} ${rule.filter}${expanded}`;
}

/**
 * A compiled ACL. Precise rules: a publish is allowed when no applicable `deny` rule matches the
 * topic and some `write`/`readwrite` rule does. A subscription is allowed when no applicable
 * `deny` rule overlaps the filter (shares a topic with it, since the broker does not re-check
 * each delivery) and some `read`/`readwrite` rule covers it: matches every topic it matches.
 * Otherwise the ACL denies with 0x87, or defers when `noMatch` is `defer`.
 */
export class AclPolicy {
  readonly #everyone: readonly CompiledRule[];
  readonly #anonymous: readonly CompiledRule[];
  readonly #users: ReadonlyMap<string, readonly CompiledRule[]>;
  readonly #roles: ReadonlyMap<string, readonly CompiledRule[]>;
  readonly #userRoles: ReadonlyMap<string, readonly string[]>;
  readonly #noMatch: 'deny' | 'defer';

  /** Compiles the rules; throws a `TypeError` naming the first rule with an invalid filter or access. */
  constructor(rules: AclRules, noMatch: 'deny' | 'defer' = 'deny') {
    this.#everyone = compileList(rules.everyone ?? [], 'everyone');
    this.#anonymous = compileList(rules.anonymous ?? [], 'anonymous');
    this.#users = compileRecord(rules.users ?? {}, 'users');
    this.#roles = compileRecord(rules.roles ?? {}, 'roles');
    this.#userRoles = new Map(Object.entries(rules.userRoles ?? {}));
    this.#noMatch = noMatch;
  }

  /** Answers a request with a decision that names the deciding rule. */
  check(request: AclRequest): Decision {
    const { action, topic } = request;
    const problem = action === 'publish' ? validateTopicName(topic) : validateTopicFilter(topic);
    if (problem !== undefined || (action === 'subscribe' && topic.startsWith('$share/'))) {
      return {
        deny: ReasonCode.NotAuthorized,
        reason: `invalid ${action === 'publish' ? 'topic name' : 'topic filter'}`,
      };
    }
    const rules = this.#applicable(request.client);
    const needed = action === 'publish' ? 'write' : 'read';
    let grant: string | undefined;
    for (const rule of rules) {
      const filter = expand(rule, request.client);
      if (filter === undefined) continue;
      if (rule.access === 'deny') {
        const hit = action === 'publish' ? matchTopic(filter, topic) : topicFiltersOverlap(filter, topic);
        if (hit) return { deny: ReasonCode.NotAuthorized, reason: `denied by ${describeRule(rule, filter)}` };
      } else if (grant === undefined && (rule.access === needed || rule.access === 'readwrite')) {
        const hit = action === 'publish' ? matchTopic(filter, topic) : topicFilterCovers(filter, topic);
        if (hit) grant = `allowed by ${describeRule(rule, filter)}`;
      }
    }
    if (grant !== undefined) return { allow: true, reason: grant };
    const reason = `no rule grants ${needed} on ${topic}`;
    return this.#noMatch === 'defer' ? { defer: true, reason } : { deny: ReasonCode.NotAuthorized, reason };
  }

  #applicable(client: AclRequest['client']): CompiledRule[] {
    const rules = [...this.#everyone];
    const { username } = client;
    if (username === undefined) {
      rules.push(...this.#anonymous);
    } else {
      rules.push(...(this.#users.get(username) ?? []));
    }
    const roles = new Set([
      ...client.roles,
      ...(username === undefined ? [] : (this.#userRoles.get(username) ?? [])),
    ]);
    for (const role of roles) rules.push(...(this.#roles.get(role) ?? []));
    return rules;
  }
}

function expand(rule: CompiledRule, client: AclRequest['client']): string | undefined {
  if (!rule.substitute || !rule.filter.includes('%')) return rule.filter;
  const needsUser = rule.filter.includes('%u');
  const needsClient = rule.filter.includes('%c');
  const { username, clientId } = client;
  // A value with a wildcard or a level separator would widen the rule: then it does not apply.
  if (needsUser && (username === undefined || username === '' || unsafeInFilter.test(username)))
    return undefined;
  if (needsClient && (clientId === '' || unsafeInFilter.test(clientId))) return undefined;
  return rule.filter.replace(/%[uc]/g, (token) => (token === '%u' ? username! : clientId));
}

const accessLevels = new Set(['read', 'write', 'readwrite', 'deny']);

function compileList(rules: readonly AclRule[], label: string): CompiledRule[] {
  return rules.map((rule, index) => {
    const source = rule.source ?? `${label}[${index}]`;
    if (!accessLevels.has(rule.access))
      throw new TypeError(`${source}: unknown access "${String(rule.access)}"`);
    const problem = validateTopicFilter(rule.filter);
    if (problem !== undefined) throw new TypeError(`${source}: ${problem.message}`);
    if (rule.filter.startsWith('$share/'))
      throw new TypeError(`${source}: ACL filters name topics, not shared subscriptions`);
    return { access: rule.access, filter: rule.filter, substitute: rule.substitute ?? true, source };
  });
}

function compileRecord(
  record: Readonly<Record<string, readonly AclRule[]>>,
  label: string,
): Map<string, readonly CompiledRule[]> {
  return new Map(Object.entries(record).map(([key, rules]) => [key, compileList(rules, `${label}.${key}`)]));
}
