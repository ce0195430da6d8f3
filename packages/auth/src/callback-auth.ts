import type {
  AuthenticateContext,
  AuthenticationDecision,
  AuthorizePublishContext,
  AuthorizeSubscribeContext,
  Decision,
  FailureReasonCode,
  Hook,
  MaybePromise,
} from '@mqttkit/contracts';
import { ReasonCode } from '@mqttkit/contracts';

/** Options of `callbackAuth`: your functions, each optional, sync or async. */
export interface CallbackAuthOptions {
  /** Hook name. Default `callback`. */
  readonly name?: string;
  /** `true` allows, `false` denies with 0x86, or return any authentication decision. */
  readonly authenticate?: (context: AuthenticateContext) => MaybePromise<boolean | AuthenticationDecision>;
  /** `true` allows, `false` denies with 0x87, or return any decision. */
  readonly authorizePublish?: (context: AuthorizePublishContext) => MaybePromise<boolean | Decision>;
  /** `true` allows, `false` denies with 0x87, or return any decision. */
  readonly authorizeSubscribe?: (context: AuthorizeSubscribeContext) => MaybePromise<boolean | Decision>;
}

async function decide<C, D>(
  callback: (context: C) => MaybePromise<boolean | D>,
  context: C,
  deniedCode: FailureReasonCode,
): Promise<D | { allow: true; reason: string } | { deny: FailureReasonCode; reason: string }> {
  try {
    const answer = await callback(context);
    if (answer === true) return { allow: true, reason: 'callback returned true' };
    if (answer === false) return { deny: deniedCode, reason: 'callback returned false' };
    return answer;
  } catch (error) {
    // Fail closed: a throwing callback is a bug, and the client must not get in because of it.
    const message = error instanceof Error ? error.message : String(error);
    return { deny: ReasonCode.UnspecifiedError, reason: `callback threw: ${message}` };
  }
}

/** Wraps your own functions as a hook. A callback that throws denies with 0x80 (fail closed). */
export function callbackAuth(options: CallbackAuthOptions): Hook {
  const { authenticate, authorizePublish, authorizeSubscribe } = options;
  return {
    name: options.name ?? 'callback',
    ...(authenticate && {
      authenticate: (context: AuthenticateContext) =>
        decide(authenticate, context, ReasonCode.BadUserNameOrPassword),
    }),
    ...(authorizePublish && {
      authorizePublish: (context: AuthorizePublishContext) =>
        decide(authorizePublish, context, ReasonCode.NotAuthorized),
    }),
    ...(authorizeSubscribe && {
      authorizeSubscribe: (context: AuthorizeSubscribeContext) =>
        decide(authorizeSubscribe, context, ReasonCode.NotAuthorized),
    }),
  };
}
