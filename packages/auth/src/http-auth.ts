import { createHmac, randomBytes } from 'node:crypto';
import type {
  AuthenticateContext,
  AuthenticationDecision,
  AuthorizePublishContext,
  AuthorizeSubscribeContext,
  ClientInfo,
  Decision,
  FailureReasonCode,
  Hook,
  Logger,
} from '@mqttkit/contracts';
import { ReasonCode } from '@mqttkit/contracts';
import { createHttpAnswerCache } from './http-answer-cache.js';
import type { HttpAnswer } from './http-answer-cache.js';
import { createHttpAuthClient } from './http-auth-client.js';
import type { HttpAuthOutcome } from './http-auth-client.js';

/** The requests the endpoint can be asked about; the hook provides only the matching methods. */
export type HttpAuthAction = 'connect' | 'publish' | 'subscribe';

/** Options of {@link httpAuth}. */
export interface HttpAuthOptions {
  /** Hook name for logs and explanations. Default `http`. */
  readonly name?: string;
  /** The endpoint every request is POSTed to. */
  readonly url: string | URL;
  /** Which requests to send; the others are not provided by the hook. Default all three. */
  readonly actions?: readonly HttpAuthAction[];
  /** Milliseconds to wait for an answer before failing closed. Default 5000. */
  readonly timeout?: number;
  /** Extra request headers, for example an `authorization` header for the endpoint. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Largest response body accepted, in bytes. Default 4096. */
  readonly maxResponseBytes?: number;
  /** Answer cache; `maxEntries: 0` disables it. */
  readonly cache?: {
    /** Default 10000. */
    readonly maxEntries?: number;
    /** How long an allow is reused, in ms. Default 60000. */
    readonly allowTtl?: number;
    /** How long a deny or ignore is reused, in ms. Default 10000. */
    readonly denyTtl?: number;
  };
  /** Milliseconds; inject a fake clock in tests. Default `Date.now`. */
  readonly clock?: () => number;
}

interface DenyCodes {
  /** When the endpoint answers deny. */
  readonly denied: FailureReasonCode;
  /** When the endpoint cannot be asked or answers garbage (fail closed). */
  readonly failed: FailureReasonCode;
}
const connectCodes: DenyCodes = {
  denied: ReasonCode.BadUserNameOrPassword,
  failed: ReasonCode.ServerUnavailable,
};
const authorizeCodes: DenyCodes = { denied: ReasonCode.NotAuthorized, failed: ReasonCode.NotAuthorized };

type Asked = { readonly answer: HttpAnswer; readonly cached: boolean } | { readonly error: string };

const logInterval = 10_000;
const loopbackHosts: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);
const utf8 = new TextDecoder('utf-8', { fatal: true });
const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function clientFields(client: ClientInfo): Record<string, unknown> {
  return {
    clientid: client.clientId,
    ...(client.username === undefined ? {} : { username: client.username }),
    peerhost: client.remoteAddress,
    peerport: client.remotePort,
    protocol: client.protocolVersion,
    listener: client.listener,
  };
}

function passwordFields(password: Uint8Array | undefined): Record<string, string> {
  if (password === undefined) return {};
  try {
    return { password: utf8.decode(password) };
  } catch {
    // MQTT passwords are binary data; send those that are not UTF-8 text without mangling them.
    return { password_base64: Buffer.from(password).toString('base64') };
  }
}

/**
 * A hook that asks an HTTP endpoint (a webhook in the style of EMQX's and VerneMQ's) whether a
 * client may connect, publish or subscribe. It POSTs JSON (`action`, `clientid`, `username`,
 * `password` for connect only, `topic`, `qos`, `retain`, `peerhost`, `peerport`, `protocol`,
 * `listener`) and expects HTTP 200 with `{ "result": "allow" | "deny" | "ignore" }`; ignore defers.
 * Answers are cached; an endpoint that is down, slow or answers anything else is a deny (fail
 * closed: 0x88 at connect, 0x87 when authorizing). Passwords are never logged.
 */
export function httpAuth(options: HttpAuthOptions): Hook {
  const name = options.name ?? 'http';
  const clock = options.clock ?? Date.now;
  const actions = new Set(options.actions ?? ['connect', 'publish', 'subscribe']);
  // Parsed now so that a mistyped URL stops the broker at startup, not at the first CONNECT.
  const url = new URL(options.url);
  const client = createHttpAuthClient({
    url,
    timeout: options.timeout ?? 5000,
    maxResponseBytes: options.maxResponseBytes ?? 4096,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  });
  const cache = createHttpAnswerCache({
    maxEntries: options.cache?.maxEntries ?? 10_000,
    allowTtl: options.cache?.allowTtl ?? 60_000,
    denyTtl: options.cache?.denyTtl ?? 10_000,
    clock,
  });
  // Cache keys are keyed hashes of the request, so no password is kept in memory as sent.
  const cacheKeySecret = randomBytes(32);
  const inFlight = new Map<string, Promise<HttpAuthOutcome>>();
  const lifetime = new AbortController();
  let logger = silentLogger;
  let lastWarning = Number.NEGATIVE_INFINITY;
  let suppressedWarnings = 0;

  function warn(error: string, body: Readonly<Record<string, unknown>>): void {
    // An endpoint that is down fails every request; one line per interval tells the operator enough.
    const now = clock();
    if (now - lastWarning < logInterval) {
      suppressedWarnings += 1;
      return;
    }
    lastWarning = now;
    logger.warn('HTTP auth endpoint failed; denying', {
      url: url.origin + url.pathname,
      error,
      action: body.action,
      clientId: body.clientid,
      ...(suppressedWarnings > 0 ? { suppressedFailures: suppressedWarnings } : {}),
    });
    suppressedWarnings = 0;
  }

  async function ask(body: Readonly<Record<string, unknown>>): Promise<Asked> {
    const key = createHmac('sha256', cacheKeySecret).update(JSON.stringify(body)).digest('base64');
    const cached = cache.get(key);
    if (cached !== undefined) return { answer: cached, cached: true };
    let pending = inFlight.get(key);
    if (pending === undefined) {
      pending = lifetime.signal.aborted
        ? Promise.resolve<HttpAuthOutcome>({ ok: false, error: 'hook closed' })
        : client.post(body, lifetime.signal);
      inFlight.set(key, pending);
    }
    try {
      const outcome = await pending;
      if (!outcome.ok) {
        warn(outcome.error, body);
        return { error: outcome.error };
      }
      cache.set(key, outcome.answer);
      return { answer: outcome.answer, cached: false };
    } finally {
      if (inFlight.get(key) === pending) inFlight.delete(key);
    }
  }

  /** Turns the endpoint's answer into a decision; `codes` differ between connect and authorize. */
  async function decide(body: Readonly<Record<string, unknown>>, codes: DenyCodes): Promise<Decision> {
    const asked = await ask(body);
    if ('error' in asked) return { deny: codes.failed, reason: `HTTP auth endpoint failed (${asked.error})` };
    const source = asked.cached ? 'HTTP auth endpoint (cached)' : 'HTTP auth endpoint';
    if (asked.answer === 'allow') return { allow: true, reason: `${source} allowed` };
    if (asked.answer === 'deny') return { deny: codes.denied, reason: `${source} denied` };
    return { defer: true, reason: `${source} ignored the request` };
  }

  const hook: Hook = {
    name,
    init(context) {
      logger = context.logger;
      if (actions.has('connect') && url.protocol === 'http:' && !loopbackHosts.has(url.hostname)) {
        logger.warn('HTTP auth endpoint is not HTTPS: client passwords travel unencrypted', {
          url: url.origin,
        });
      }
    },
    close() {
      lifetime.abort();
    },
  };

  const authenticate = (context: AuthenticateContext): Promise<AuthenticationDecision> | 'defer' => {
    if (context.authenticationMethod !== undefined) return 'defer';
    const body = { action: 'connect', ...clientFields(context.client), ...passwordFields(context.password) };
    return decide(body, connectCodes);
  };

  const authorizePublish = (context: AuthorizePublishContext): Promise<Decision> =>
    decide(
      {
        action: 'publish',
        ...clientFields(context.client),
        topic: context.topic,
        qos: context.qos,
        retain: context.retain,
        ...(context.will ? { will: true } : {}),
      },
      authorizeCodes,
    );

  const authorizeSubscribe = (context: AuthorizeSubscribeContext): Promise<Decision> =>
    decide(
      {
        action: 'subscribe',
        ...clientFields(context.client),
        topic: context.topicFilter,
        qos: context.subscription.qos,
        ...(context.shareName === undefined ? {} : { share: context.shareName }),
      },
      authorizeCodes,
    );

  return {
    ...hook,
    ...(actions.has('connect') ? { authenticate } : {}),
    ...(actions.has('publish') ? { authorizePublish } : {}),
    ...(actions.has('subscribe') ? { authorizeSubscribe } : {}),
  };
}
