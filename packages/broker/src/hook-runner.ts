import { ReasonCode } from '@mqttkit/codec';
import type { Publish } from '@mqttkit/codec';
import { normalizeDecision } from '@mqttkit/contracts';
import type {
  AuthenticateContext,
  AuthenticationDecision,
  AuthorizePublishContext,
  AuthorizeSubscribeContext,
  Hook,
  Logger,
  NormalizedDecision,
  PublishContext,
} from '@mqttkit/contracts';

type NotificationMethod =
  | 'onClientConnected'
  | 'onSubscribed'
  | 'onUnsubscribed'
  | 'onPublished'
  | 'onMessageDropped'
  | 'onClientDisconnected';

type NotificationContext<M extends NotificationMethod> = Parameters<NonNullable<Hook[M]>>[0];

/** Which authorization hook method `decide` calls, with its context. */
type AuthorizationCall =
  | { readonly method: 'authorizePublish'; readonly context: AuthorizePublishContext }
  | { readonly method: 'authorizeSubscribe'; readonly context: AuthorizeSubscribeContext };

/** The winning answer of the authentication hooks, with the hook that gave it. */
export interface AuthenticationResult {
  readonly decision: NormalizedDecision;
  /** The raw answer, for the identity and data an allow or continue carries. */
  readonly answer: AuthenticationDecision | undefined;
  /** The index of the hook that answered, to continue an enhanced authentication exchange with it. */
  readonly hookIndex: number;
}

const isPromise = <T>(value: unknown): value is Promise<T> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

/**
 * Runs the hooks (STYLE HS-18). Per-method lists are built once. Decisions run in order and the
 * first answer other than defer wins; when every hook defers the request is denied. A hook that
 * throws denies (fail closed) and is logged; it never reaches the client or stops the broker.
 * Synchronous hooks keep the hot path synchronous: a promise appears only when a hook returns one.
 */
export class HookRunner {
  private readonly authenticators: Hook[];
  private readonly publishAuthorizers: Hook[];
  private readonly subscribeAuthorizers: Hook[];
  private readonly transformers: Hook[];
  private readonly notified: Record<NotificationMethod, Hook[]>;
  /** One allow decision per hook name, reused: authorizing a PUBLISH allocates no decision. */
  private readonly allowDecisions = new Map<string, NormalizedDecision>();

  constructor(
    private readonly hooks: readonly Hook[],
    private readonly logger: Logger,
  ) {
    const providing = (method: keyof Hook): Hook[] =>
      hooks.filter((hook) => typeof hook[method] === 'function');
    this.authenticators = providing('authenticate');
    this.publishAuthorizers = providing('authorizePublish');
    this.subscribeAuthorizers = providing('authorizeSubscribe');
    this.transformers = providing('onPublish');
    this.notified = {
      onClientConnected: providing('onClientConnected'),
      onSubscribed: providing('onSubscribed'),
      onUnsubscribed: providing('onUnsubscribed'),
      onPublished: providing('onPublished'),
      onMessageDropped: providing('onMessageDropped'),
      onClientDisconnected: providing('onClientDisconnected'),
    };
  }

  /** Whether any hook transforms publishes; when none does the broker skips the call. */
  get transformsPublishes(): boolean {
    return this.transformers.length > 0;
  }

  async init(): Promise<void> {
    for (const hook of this.hooks) await hook.init?.({ logger: this.logger });
  }

  async close(): Promise<void> {
    for (const hook of [...this.hooks].reverse()) {
      try {
        await hook.close?.();
      } catch (error) {
        this.logger.error(`hook ${hook.name} failed to close`, { error: String(error) });
      }
    }
  }

  /**
   * Runs `authenticate` from `firstHook` on (later rounds of an enhanced exchange go only to the
   * hook that answered continue). When every hook defers: 0x8C for an unknown authentication
   * method, 0x86 when credentials were given, 0x87 otherwise.
   */
  async authenticate(context: AuthenticateContext, onlyHook?: number): Promise<AuthenticationResult> {
    const candidates = onlyHook === undefined ? this.authenticators.map((_, index) => index) : [onlyHook];
    for (const index of candidates) {
      const hook = this.authenticators[index]!;
      let answer: AuthenticationDecision;
      try {
        answer = await hook.authenticate!(context);
      } catch (error) {
        this.logger.error(`authenticate hook ${hook.name} failed; refusing the client`, {
          error: String(error),
        });
        return {
          decision: {
            outcome: 'deny',
            reasonCode: ReasonCode.ServerUnavailable,
            decidedBy: hook.name,
            reason: 'hook failed',
          },
          answer: undefined,
          hookIndex: index,
        };
      }
      const decision = this.normalize(answer, hook.name);
      if (decision.outcome !== 'defer') return { decision, answer, hookIndex: index };
    }
    const reasonCode =
      context.authenticationMethod !== undefined
        ? ReasonCode.BadAuthenticationMethod
        : context.client.username !== undefined || context.password !== undefined
          ? ReasonCode.BadUserNameOrPassword
          : ReasonCode.NotAuthorized;
    return {
      decision: { outcome: 'deny', reasonCode, decidedBy: 'broker', reason: 'no hook allowed the client' },
      answer: undefined,
      hookIndex: -1,
    };
  }

  authorizePublish(context: AuthorizePublishContext): NormalizedDecision | Promise<NormalizedDecision> {
    return this.decide(this.publishAuthorizers, { method: 'authorizePublish', context }, 0);
  }

  authorizeSubscribe(context: AuthorizeSubscribeContext): NormalizedDecision | Promise<NormalizedDecision> {
    return this.decide(this.subscribeAuthorizers, { method: 'authorizeSubscribe', context }, 0);
  }

  /** Whether any hook listens to this notification: callers skip building its context otherwise. */
  notifies(method: NotificationMethod): boolean {
    return this.notified[method].length > 0;
  }

  /** Chains the `onPublish` transforms; resolves to the packet to route, or `drop`. */
  async transform(context: PublishContext): Promise<Readonly<Publish> | 'drop'> {
    let packet = context.packet;
    for (const hook of this.transformers) {
      try {
        const result = await hook.onPublish!({ client: context.client, packet });
        if (result === 'drop') return 'drop';
        if (result !== undefined) packet = result;
      } catch (error) {
        this.logger.error(`onPublish hook ${hook.name} failed; dropping the message`, {
          error: String(error),
        });
        return 'drop';
      }
    }
    return packet;
  }

  /** Fire-and-forget: errors are logged and never reach a client. */
  notify<M extends NotificationMethod>(method: M, context: NotificationContext<M>): void {
    for (const hook of this.notified[method]) {
      try {
        const result = (hook[method] as (context: NotificationContext<M>) => unknown)(context);
        if (isPromise(result))
          result.catch((error: unknown) => this.logNotificationError(hook, method, error));
      } catch (error) {
        this.logNotificationError(hook, method, error);
      }
    }
  }

  private logNotificationError(hook: Hook, method: string, error: unknown): void {
    this.logger.error(`${method} hook ${hook.name} failed`, { error: String(error) });
  }

  private decide(
    hooks: readonly Hook[],
    call: AuthorizationCall,
    start: number,
  ): NormalizedDecision | Promise<NormalizedDecision> {
    for (let index = start; index < hooks.length; index += 1) {
      const hook = hooks[index]!;
      let answer: AuthenticationDecision | Promise<AuthenticationDecision>;
      try {
        // A method call on the hook rather than a closure per message.
        answer =
          call.method === 'authorizePublish'
            ? hook.authorizePublish!(call.context)
            : hook.authorizeSubscribe!(call.context);
      } catch (error) {
        return this.failed(hook, error);
      }
      if (isPromise<AuthenticationDecision>(answer)) {
        return answer.then(
          (resolved) => {
            const decision = this.authorization(resolved, hook.name);
            return decision.outcome === 'defer' ? this.decide(hooks, call, index + 1) : decision;
          },
          (error: unknown) => this.failed(hook, error),
        );
      }
      const decision = this.authorization(answer, hook.name);
      if (decision.outcome !== 'defer') return decision;
    }
    return {
      outcome: 'deny',
      reasonCode: ReasonCode.NotAuthorized,
      decidedBy: 'broker',
      reason: 'no hook allowed it',
    };
  }

  private failed(hook: Hook, error: unknown): NormalizedDecision {
    this.logger.error(`authorization hook ${hook.name} failed; denying`, { error: String(error) });
    return {
      outcome: 'deny',
      reasonCode: ReasonCode.UnspecifiedError,
      decidedBy: hook.name,
      reason: 'hook failed',
    };
  }

  /** An authorization answer: `continue` belongs to authentication only, so it denies here. */
  private authorization(answer: AuthenticationDecision, hookName: string): NormalizedDecision {
    if (answer === 'allow') {
      let allow = this.allowDecisions.get(hookName);
      if (allow === undefined) {
        allow = Object.freeze(this.normalize(answer, hookName));
        this.allowDecisions.set(hookName, allow);
      }
      return allow;
    }
    const decision = this.normalize(answer, hookName);
    if (decision.outcome !== 'continue') return decision;
    this.logger.error(`authorization hook ${hookName} answered continue; denying`);
    return {
      outcome: 'deny',
      reasonCode: ReasonCode.UnspecifiedError,
      decidedBy: hookName,
      reason: 'invalid decision',
    };
  }

  private normalize(answer: AuthenticationDecision, hookName: string): NormalizedDecision {
    try {
      return normalizeDecision(answer, hookName);
    } catch (error) {
      this.logger.error(`hook ${hookName} returned an invalid decision; denying`, { error: String(error) });
      return {
        outcome: 'deny',
        reasonCode: ReasonCode.UnspecifiedError,
        decidedBy: hookName,
        reason: 'invalid decision',
      };
    }
  }
}
