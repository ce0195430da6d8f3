import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailureReasonCode, NormalizedDecision } from '../decision.js';
import type { Hook, MaybePromise } from '../hook.js';
import type { Logger } from '../logger.js';
import { isAuthenticationDecision, isDecision } from '../is-decision.js';
import { normalizeDecision } from '../normalize-decision.js';
import type { TestCredentials, TestPublish } from './create-contexts.js';
import {
  createAuthenticateContext,
  createClientInfo,
  createPublishContext,
  createSubscribeContext,
} from './create-contexts.js';

/** One authorization case: who asks about what, and what the provider must answer. */
export interface AuthorizationCase<T> {
  /** The asking client. */
  readonly client: TestCredentials;
  /** The message (publish) or topic filter (subscribe). */
  readonly request: T;
}

/** Options of `runAuthProviderConformance`. */
export interface AuthProviderConformanceOptions {
  /** Names the `describe` block. */
  readonly name: string;
  /** Creates a fresh provider; called once for the suite and again for lifecycle tests. */
  readonly create: () => MaybePromise<Hook>;
  /** Releases what `create` set up (files, servers), after the suite. */
  readonly cleanup?: () => MaybePromise<void>;
  /** Credentials the provider must allow. Required when the hook has `authenticate`. */
  readonly validUser?: TestCredentials;
  /** A known user with a wrong password: must be denied with 0x86 or 0x87. */
  readonly invalidUser?: TestCredentials;
  /** A user the provider does not know, with the valid user's password. */
  readonly unknownUser?: TestCredentials;
  /**
   * What the provider answers for `unknownUser`: `deny` (the default) must be the same answer as
   * for `invalidUser`, so the two cannot be told apart; `defer` lets a later hook decide.
   */
  readonly unknownUserAnswer?: 'deny' | 'defer';
  /** Whether a client with no credentials at all may be allowed (only `allowAll`-style providers). */
  readonly allowsAnonymous?: boolean;
  /**
   * Whether the valid password with a byte appended or removed must be refused. Defaults to
   * `true` when `validUser.password` is set.
   */
  readonly checksPasswordExactly?: boolean;
  /** Messages that must be allowed. */
  readonly allowedPublishes?: readonly AuthorizationCase<TestPublish>[];
  /** Messages that must be denied with 0x87 (or `deniedCode`). */
  readonly deniedPublishes?: readonly AuthorizationCase<TestPublish>[];
  /** Topic filters that must be allowed. */
  readonly allowedSubscribes?: readonly AuthorizationCase<string>[];
  /** Topic filters that must be denied with 0x87 (or `deniedCode`). */
  readonly deniedSubscribes?: readonly AuthorizationCase<string>[];
  /** The deny code expected for denied publishes and subscribes; 0x87 when absent. */
  readonly deniedCode?: FailureReasonCode;
  /** Number of fast-check runs of the arbitrary-input tests; 100 when absent. */
  readonly fuzzRuns?: number;
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const hookMethods = new Set([
  'authenticate',
  'authorizePublish',
  'authorizeSubscribe',
  'onPublish',
  'onClientConnected',
  'onSubscribed',
  'onUnsubscribed',
  'onPublished',
  'onMessageDropped',
  'onClientDisconnected',
  'init',
  'close',
]);
const fuzzSeed = 0x5eed;
// Characters that trip up naive code: NUL, a lone surrogate, separators, wildcards, non-ASCII.
// (fast-check's `unit: 'binary'` would do too, but costs most of a second to set up.)
const awkwardCharacter = fc.oneof(
  fc.string({ minLength: 1, maxLength: 1 }),
  fc.constantFrom('\u0000', '\uD800', '\uFFFF', 'é', '😀', ':', '/', '#', '+', '%', '$'),
);

function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? new TextEncoder().encode(value) : value;
}

async function start(options: AuthProviderConformanceOptions): Promise<Hook> {
  const hook = await options.create();
  await hook.init?.({ logger: silentLogger });
  return hook;
}

/**
 * Registers the vitest tests every auth provider must pass: valid credentials allowed, bad ones
 * denied with 0x86/0x87, unknown users indistinguishable from wrong passwords, well-formed
 * decisions for arbitrary input without throwing, and the given authorization cases.
 */
export function runAuthProviderConformance(options: AuthProviderConformanceOptions): void {
  describe(`${options.name} (auth provider conformance)`, () => {
    let hook: Hook;

    beforeAll(async () => {
      hook = await start(options);
    });
    afterAll(async () => {
      await hook.close?.();
      await options.cleanup?.();
    });

    async function authenticate(credentials: TestCredentials): Promise<NormalizedDecision> {
      const decision = await hook.authenticate!(createAuthenticateContext(credentials));
      expect(isAuthenticationDecision(decision), `not a decision: ${String(decision)}`).toBe(true);
      return normalizeDecision(decision, hook.name);
    }

    it('has a non-empty name and only hook methods, all functions', () => {
      expect(typeof hook.name).toBe('string');
      expect(hook.name.length).toBeGreaterThan(0);
      for (const [key, value] of Object.entries(hook)) {
        if (key === 'name') continue;
        if (hookMethods.has(key)) expect(typeof value, key).toBe('function');
      }
    });

    const { validUser, invalidUser, unknownUser } = options;
    if (validUser !== undefined) {
      it('allows the valid user', async () => {
        expect((await authenticate(validUser)).outcome).toBe('allow');
      });

      it('explains every decision with the deciding provider', async () => {
        const decision = await authenticate(validUser);
        expect(decision.decidedBy.length).toBeGreaterThan(0);
      });

      it('gives the same answer to concurrent requests', async () => {
        const requests = Array.from({ length: 16 }, (_, index) =>
          authenticate(index % 2 === 0 ? validUser : (invalidUser ?? validUser)),
        );
        const outcomes = (await Promise.all(requests)).map((decision) => decision.outcome);
        expect(outcomes.filter((_, index) => index % 2 === 0).every((outcome) => outcome === 'allow')).toBe(
          true,
        );
        expect(new Set(outcomes.filter((_, index) => index % 2 === 1)).size).toBe(1);
      });

      const password = validUser.password;
      if (password !== undefined && options.checksPasswordExactly !== false) {
        it('refuses the valid password with a byte appended or removed', async () => {
          const bytes = toBytes(password);
          const longer = new Uint8Array([...bytes, 0x78]);
          const shorter = bytes.subarray(0, Math.max(0, bytes.length - 1));
          expect((await authenticate({ ...validUser, password: longer })).outcome).not.toBe('allow');
          expect((await authenticate({ ...validUser, password: shorter })).outcome).not.toBe('allow');
          expect((await authenticate({ ...validUser, password: new Uint8Array(0) })).outcome).not.toBe(
            'allow',
          );
        });
      }
    }

    if (invalidUser !== undefined) {
      it('denies a wrong password with 0x86 or 0x87', async () => {
        const decision = await authenticate(invalidUser);
        expect(decision.outcome).toBe('deny');
        expect([0x86, 0x87]).toContain(decision.reasonCode);
      });
    }

    if (unknownUser !== undefined) {
      if (options.unknownUserAnswer === 'defer') {
        it('defers for a user it does not know', async () => {
          expect((await authenticate(unknownUser)).outcome).toBe('defer');
        });
      } else {
        it('gives an unknown user the same answer as a wrong password', async () => {
          const unknown = await authenticate(unknownUser);
          expect(unknown.outcome).toBe('deny');
          expect([0x86, 0x87]).toContain(unknown.reasonCode);
          if (invalidUser !== undefined) {
            expect(unknown.reasonCode).toBe((await authenticate(invalidUser)).reasonCode);
          }
        });
      }
    }

    it('never allows a client without credentials unless it allows anonymous clients', async () => {
      if (hook.authenticate === undefined) return;
      const decision = await authenticate({});
      if (options.allowsAnonymous !== true) expect(decision.outcome).not.toBe('allow');
    });

    it('returns a well-formed decision and never throws for arbitrary authentication input', async () => {
      if (hook.authenticate === undefined) return;
      const authenticateHook = hook.authenticate.bind(hook);
      await fc.assert(
        fc.asyncProperty(
          fc.record(
            {
              username: fc.oneof(fc.string(), fc.string({ unit: awkwardCharacter }), fc.constant('')),
              password: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string()),
              clientId: fc.string({ maxLength: 30 }),
              protocolVersion: fc.constantFrom(3 as const, 4 as const, 5 as const),
            },
            { requiredKeys: ['clientId'] },
          ),
          fc.option(fc.record({ authenticationMethod: fc.string(), authenticationData: fc.uint8Array() })),
          async (credentials, round) => {
            const context = createAuthenticateContext(credentials, round ?? {});
            const decision = await authenticateHook(context);
            expect(isAuthenticationDecision(decision)).toBe(true);
          },
        ),
        { seed: fuzzSeed, numRuns: options.fuzzRuns ?? 100 },
      );
    });

    it('returns a well-formed decision and never throws for arbitrary topics and filters', async () => {
      const publishClient = validUser ?? {};
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string(),
            fc.constantFrom('#', '+', '/', '$SYS/x', 'a/+/b', '$share/g/a/#', 'a\u0000b', ''),
          ),
          fc.option(fc.string()),
          async (topic, username) => {
            const client = username === null ? publishClient : { ...publishClient, username };
            if (hook.authorizePublish !== undefined) {
              expect(isDecision(await hook.authorizePublish(createPublishContext(client, { topic })))).toBe(
                true,
              );
            }
            if (hook.authorizeSubscribe !== undefined) {
              expect(isDecision(await hook.authorizeSubscribe(createSubscribeContext(client, topic)))).toBe(
                true,
              );
            }
          },
        ),
        { seed: fuzzSeed, numRuns: options.fuzzRuns ?? 100 },
      );
    });

    const deniedCode = options.deniedCode ?? 0x87;
    for (const { client, request } of options.allowedPublishes ?? []) {
      it(`allows ${client.username ?? 'anonymous'} to publish to "${request.topic}"`, async () => {
        const decision = await hook.authorizePublish!(createPublishContext(client, request));
        expect(normalizeDecision(decision, hook.name).outcome).toBe('allow');
      });
    }
    for (const { client, request } of options.deniedPublishes ?? []) {
      it(`denies ${client.username ?? 'anonymous'} publishing to "${request.topic}" with 0x${deniedCode.toString(16)}`, async () => {
        const decision = normalizeDecision(
          await hook.authorizePublish!(createPublishContext(client, request)),
          hook.name,
        );
        expect(decision).toMatchObject({ outcome: 'deny', reasonCode: deniedCode });
      });
    }
    for (const { client, request } of options.allowedSubscribes ?? []) {
      it(`allows ${client.username ?? 'anonymous'} to subscribe to "${request}"`, async () => {
        const decision = await hook.authorizeSubscribe!(createSubscribeContext(client, request));
        expect(normalizeDecision(decision, hook.name).outcome).toBe('allow');
      });
    }
    for (const { client, request } of options.deniedSubscribes ?? []) {
      it(`denies ${client.username ?? 'anonymous'} subscribing to "${request}" with 0x${deniedCode.toString(16)}`, async () => {
        const decision = normalizeDecision(
          await hook.authorizeSubscribe!(createSubscribeContext(client, request)),
          hook.name,
        );
        expect(decision).toMatchObject({ outcome: 'deny', reasonCode: deniedCode });
      });
    }

    it('does not change the client it is given', async () => {
      const client = createClientInfo(validUser ?? {});
      const snapshot = structuredClone(client);
      const frozen = Object.freeze({ ...client, roles: Object.freeze([...client.roles]) });
      const context = { ...createAuthenticateContext(validUser ?? {}), client: frozen };
      await hook.authenticate?.(context);
      await hook.authorizePublish?.({
        ...createPublishContext(validUser ?? {}, { topic: 'a/b' }),
        client: frozen,
      });
      await hook.authorizeSubscribe?.({ ...createSubscribeContext(validUser ?? {}, 'a/#'), client: frozen });
      expect(frozen).toEqual(snapshot);
    });

    it('can be closed twice', async () => {
      const another = await start(options);
      await another.close?.();
      await another.close?.();
    });
  });
}
