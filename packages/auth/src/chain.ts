import type {
  AuthenticateContext,
  AuthenticationDecision,
  AuthorizePublishContext,
  AuthorizeSubscribeContext,
  Decision,
  Hook,
} from '@mqttkit/contracts';
import { normalizeDecision } from '@mqttkit/contracts';

/** Options of `chain` beyond its hooks. */
export interface ChainOptions {
  /** Hook name. Default `chain(<inner names>)`. */
  readonly name?: string;
}

type NotificationMethod =
  | 'onClientConnected'
  | 'onSubscribed'
  | 'onUnsubscribed'
  | 'onPublished'
  | 'onMessageDropped'
  | 'onClientDisconnected';
const notifications: readonly NotificationMethod[] = [
  'onClientConnected',
  'onSubscribed',
  'onUnsubscribed',
  'onPublished',
  'onMessageDropped',
  'onClientDisconnected',
];

interface ExchangeOwner {
  readonly index: number;
  readonly state: Record<string, unknown>;
}

let chainCount = 0;

function attribute(decision: AuthenticationDecision, hook: Hook): AuthenticationDecision {
  if (decision === 'allow') return { allow: true, decidedBy: hook.name };
  if (decision === 'defer') return { defer: true, decidedBy: hook.name };
  if (typeof decision !== 'object' || decision === null) return decision;
  return decision.decidedBy === undefined ? { ...decision, decidedBy: hook.name } : decision;
}

async function runAll(hooks: readonly Hook[], call: (hook: Hook) => unknown): Promise<void> {
  const results = await Promise.allSettled(hooks.map(async (hook) => call(hook)));
  const errors = results.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  );
  if (errors.length > 0) throw new AggregateError(errors, 'one or more chained hooks failed');
}

/**
 * Combines hooks into one that behaves like them in sequence: for each decision the first answer
 * other than defer wins, named after the inner hook that gave it (`decidedBy`), and when all
 * defer the chain defers. `onPublish` transforms run in order; notifications, `init` and `close`
 * reach every inner hook. An MQTT 5 enhanced-authentication exchange stays with the inner hook
 * that answered `continue`, with its own `state`.
 */
export function chain(hooks: readonly Hook[], options: ChainOptions = {}): Hook {
  const name = options.name ?? `chain(${hooks.map((hook) => hook.name).join(',')})`;
  const stateKey = `@mqttkit/auth:chain:${chainCount++}`;
  const providing = (method: keyof Hook) => hooks.filter((hook) => typeof hook[method] === 'function');

  async function firstDecision<C, D extends AuthenticationDecision>(
    method: 'authenticate' | 'authorizePublish' | 'authorizeSubscribe',
    context: C,
  ): Promise<D | 'defer'> {
    for (const hook of providing(method)) {
      const call = hook[method] as (context: C) => D | Promise<D>;
      const decision = attribute(await call.call(hook, context), hook);
      if (normalizeDecision(decision, hook.name).outcome !== 'defer') return decision as D;
    }
    return 'defer';
  }

  async function authenticate(context: AuthenticateContext): Promise<AuthenticationDecision> {
    const owner = context.state[stateKey] as ExchangeOwner | undefined;
    if (owner !== undefined) {
      const hook = hooks[owner.index]!;
      return attribute(await hook.authenticate!({ ...context, state: owner.state }), hook);
    }
    for (const [index, hook] of hooks.entries()) {
      if (hook.authenticate === undefined) continue;
      const state: Record<string, unknown> = {};
      const decision = attribute(await hook.authenticate({ ...context, state }), hook);
      const { outcome } = normalizeDecision(decision, hook.name);
      if (outcome === 'continue') context.state[stateKey] = { index, state } satisfies ExchangeOwner;
      if (outcome !== 'defer') return decision;
    }
    return 'defer';
  }

  const chained: Hook = { name };
  const mutable = chained as { -readonly [K in keyof Hook]: Hook[K] };
  if (providing('authenticate').length > 0) mutable.authenticate = authenticate;
  if (providing('authorizePublish').length > 0) {
    mutable.authorizePublish = (context: AuthorizePublishContext) =>
      firstDecision<AuthorizePublishContext, Decision>('authorizePublish', context);
  }
  if (providing('authorizeSubscribe').length > 0) {
    mutable.authorizeSubscribe = (context: AuthorizeSubscribeContext) =>
      firstDecision<AuthorizeSubscribeContext, Decision>('authorizeSubscribe', context);
  }
  const transforms = providing('onPublish');
  if (transforms.length > 0) {
    mutable.onPublish = async (context) => {
      let packet = context.packet;
      for (const hook of transforms) {
        const result = await hook.onPublish!({ ...context, packet });
        if (result === 'drop') return 'drop';
        if (result !== undefined) packet = result;
      }
      return packet === context.packet ? undefined : packet;
    };
  }
  for (const method of notifications) {
    const targets = providing(method);
    if (targets.length > 0) {
      mutable[method] = (context: never) =>
        runAll(targets, (hook) => (hook[method] as (context: never) => unknown).call(hook, context));
    }
  }
  const initializers = providing('init');
  if (initializers.length > 0) {
    mutable.init = async (context) => {
      // In order: a later hook may rely on an earlier one being ready.
      for (const hook of initializers) await hook.init!(context);
    };
  }
  const closers = providing('close');
  if (closers.length > 0) mutable.close = () => runAll(closers, (hook) => hook.close!());
  return chained;
}
