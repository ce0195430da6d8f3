import { normalizeDecision } from '@mqttkit/contracts';
import type { Hook, Logger } from '@mqttkit/contracts';
import {
  createAuthenticateContext,
  createPublishContext,
  createSubscribeContext,
  runAuthProviderConformance,
} from '@mqttkit/contracts/testing';
import type { TestCredentials } from '@mqttkit/contracts/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpAuth } from '../src/http-auth.js';
import type { HttpAuthOptions } from '../src/http-auth.js';
import { answer, closedPortUrl, startTestEndpoint } from './http-auth-server.js';
import type { EndpointHandler, TestEndpoint } from './http-auth-server.js';

/** Allows alice/secret; lets a user publish and subscribe under its own name; ignores "nobody". */
const rules: EndpointHandler = (body, response) => {
  if (body.username === 'nobody') return answer(response, 'ignore');
  if (body.action === 'connect')
    return answer(response, body.username === 'alice' && body.password === 'secret' ? 'allow' : 'deny');
  const own =
    typeof body.topic === 'string' &&
    typeof body.username === 'string' &&
    body.topic.startsWith(`${body.username}/`);
  return answer(response, own ? 'allow' : 'deny');
};

const alice: TestCredentials = { username: 'alice', password: 'secret' };
const password = 'hunter2-do-not-log';

let endpoint: TestEndpoint;
const hooks: Hook[] = [];

beforeAll(async () => {
  endpoint = await startTestEndpoint(rules);
});

afterEach(async () => {
  await Promise.all(hooks.splice(0).map((hook) => hook.close?.()));
  endpoint.handler = rules;
  endpoint.requests.length = 0;
});

afterAll(async () => {
  await endpoint.close();
});

function recordingLogger(): Logger & { readonly lines: unknown[][] } {
  const lines: unknown[][] = [];
  const record = (...args: unknown[]) => {
    lines.push(args);
  };
  return { lines, debug: record, info: record, warn: record, error: record };
}

async function createHook(
  overrides: Partial<HttpAuthOptions> = {},
  logger: Logger = recordingLogger(),
): Promise<Hook> {
  const hook = httpAuth({ url: endpoint.url, timeout: 2000, ...overrides });
  await hook.init?.({ logger });
  hooks.push(hook);
  return hook;
}

async function connect(hook: Hook, credentials: TestCredentials) {
  return normalizeDecision(await hook.authenticate!(createAuthenticateContext(credentials)), hook.name);
}

async function publish(hook: Hook, credentials: TestCredentials, topic: string) {
  return normalizeDecision(
    await hook.authorizePublish!(createPublishContext(credentials, { topic, qos: 1 })),
    hook.name,
  );
}

describe('httpAuth against a working endpoint', () => {
  runAuthProviderConformance({
    name: 'httpAuth',
    create: () => httpAuth({ url: endpoint.url, timeout: 2000 }),
    validUser: alice,
    invalidUser: { username: 'alice', password: 'wrong' },
    unknownUser: { username: 'bob', password: 'secret' },
    allowedPublishes: [{ client: alice, request: { topic: 'alice/temp' } }],
    deniedPublishes: [{ client: alice, request: { topic: 'bob/temp' } }],
    allowedSubscribes: [{ client: alice, request: 'alice/#' }],
    deniedSubscribes: [{ client: alice, request: '#' }],
    fuzzRuns: 50,
  });

  it('posts the documented JSON fields, with the password only for connect', async () => {
    const hook = await createHook();
    await connect(hook, alice);
    await publish(hook, alice, 'alice/temp');
    await hook.authorizeSubscribe!(createSubscribeContext(alice, '$share/g/alice/#', { qos: 2 }));
    const common = {
      clientid: 'conformance-client',
      username: 'alice',
      peerhost: '127.0.0.1',
      peerport: 50_000,
      protocol: 5,
      listener: 'default',
    };
    expect(endpoint.requests).toEqual([
      { action: 'connect', ...common, password: 'secret' },
      { action: 'publish', ...common, topic: 'alice/temp', qos: 1, retain: false },
      { action: 'subscribe', ...common, topic: 'alice/#', qos: 2, share: 'g' },
    ]);
  });

  it('sends a binary password base64-encoded', async () => {
    const hook = await createHook();
    await connect(hook, { username: 'alice', password: new Uint8Array([0xff, 0x00, 0x41]) });
    expect(endpoint.requests[0]).toMatchObject({ password_base64: '/wBB' });
    expect(endpoint.requests[0]).not.toHaveProperty('password');
  });

  it('maps allow, deny and ignore to allow, deny and defer', async () => {
    const hook = await createHook();
    expect(await connect(hook, alice)).toMatchObject({ outcome: 'allow', decidedBy: 'http' });
    expect(await connect(hook, { username: 'alice', password: 'nope' })).toMatchObject({
      outcome: 'deny',
      reasonCode: 0x86,
    });
    expect(await connect(hook, { username: 'nobody', password: 'x' })).toMatchObject({ outcome: 'defer' });
    expect(await publish(hook, alice, 'bob/x')).toMatchObject({ outcome: 'deny', reasonCode: 0x87 });
    expect(await publish(hook, { username: 'nobody' }, 'nobody/x')).toMatchObject({ outcome: 'defer' });
  });

  it('defers MQTT 5 enhanced authentication without asking the endpoint', async () => {
    const hook = await createHook();
    const context = createAuthenticateContext(alice, {
      authenticationMethod: 'SCRAM-SHA-256',
      authenticationData: new Uint8Array(1),
    });
    expect(await hook.authenticate!(context)).toBe('defer');
    expect(endpoint.requests).toHaveLength(0);
  });

  it('provides only the methods of the configured actions', async () => {
    const hook = await createHook({ actions: ['publish'] });
    expect(hook.authenticate).toBeUndefined();
    expect(hook.authorizeSubscribe).toBeUndefined();
    expect(typeof hook.authorizePublish).toBe('function');
  });

  it('warns at init when passwords would cross the network unencrypted', async () => {
    const remote = recordingLogger();
    await httpAuth({ url: 'http://auth.example/mqtt' }).init!({ logger: remote });
    expect(remote.lines).toHaveLength(1);
    const local = recordingLogger();
    await httpAuth({ url: endpoint.url }).init!({ logger: local });
    await httpAuth({ url: 'https://auth.example/mqtt' }).init!({ logger: local });
    await httpAuth({ url: 'http://auth.example/mqtt', actions: ['publish'] }).init!({ logger: local });
    expect(local.lines).toHaveLength(0);
  });

  it('runs the README example', async () => {
    let authorization: string | undefined;
    endpoint.handler = (body, response) => {
      authorization = response.req.headers.authorization;
      rules(body, response);
    };
    const hook = httpAuth({
      url: endpoint.url,
      headers: { authorization: `Bearer ${'broker-secret'}` },
      timeout: 2000,
    });
    hooks.push(hook);
    expect(await connect(hook, alice)).toMatchObject({ outcome: 'allow' });
    expect(authorization).toBe('Bearer broker-secret');
  });

  it('refuses an invalid URL at creation', () => {
    expect(() => httpAuth({ url: 'not a url' })).toThrow(TypeError);
  });

  it('sends the configured headers', async () => {
    let seen: string | undefined;
    endpoint.handler = (_body, response) => {
      seen = response.req.headers.authorization;
      answer(response, 'allow');
    };
    const hook = await createHook({ headers: { authorization: 'Bearer broker-token' } });
    await connect(hook, alice);
    expect(seen).toBe('Bearer broker-token');
  });
});

describe('httpAuth answer cache', () => {
  it('reuses an allow for its TTL and then asks again', async () => {
    let now = 0;
    const hook = await createHook({ clock: () => now, cache: { allowTtl: 1000, denyTtl: 100 } });
    expect(await publish(hook, alice, 'alice/a')).toMatchObject({ reason: 'HTTP auth endpoint allowed' });
    expect(await publish(hook, alice, 'alice/a')).toMatchObject({
      reason: 'HTTP auth endpoint (cached) allowed',
    });
    expect(endpoint.requests).toHaveLength(1);
    now = 999;
    await publish(hook, alice, 'alice/a');
    expect(endpoint.requests).toHaveLength(1);
    now = 1000;
    await publish(hook, alice, 'alice/a');
    expect(endpoint.requests).toHaveLength(2);
  });

  it('keeps a deny for the shorter deny TTL', async () => {
    let now = 0;
    const hook = await createHook({ clock: () => now, cache: { allowTtl: 1000, denyTtl: 100 } });
    await publish(hook, alice, 'bob/a');
    await publish(hook, alice, 'bob/a');
    expect(endpoint.requests).toHaveLength(1);
    now = 100;
    expect(await publish(hook, alice, 'bob/a')).toMatchObject({ outcome: 'deny' });
    expect(endpoint.requests).toHaveLength(2);
  });

  it('caches per request: another topic, client or password asks again', async () => {
    const hook = await createHook();
    await publish(hook, alice, 'alice/a');
    await publish(hook, alice, 'alice/b');
    await publish(hook, { ...alice, clientId: 'other' }, 'alice/a');
    await connect(hook, alice);
    await connect(hook, { username: 'alice', password: 'wrong' });
    await connect(hook, alice);
    expect(endpoint.requests).toHaveLength(5);
  });

  it('evicts the least recently used answer beyond maxEntries', async () => {
    const hook = await createHook({ cache: { maxEntries: 2 } });
    await publish(hook, alice, 'alice/1');
    await publish(hook, alice, 'alice/2');
    await publish(hook, alice, 'alice/1');
    await publish(hook, alice, 'alice/3');
    expect(endpoint.requests).toHaveLength(3);
    await publish(hook, alice, 'alice/1');
    expect(endpoint.requests).toHaveLength(3);
    await publish(hook, alice, 'alice/2');
    expect(endpoint.requests).toHaveLength(4);
  });

  it('sends one request for concurrent identical questions', async () => {
    const hook = await createHook();
    const decisions = await Promise.all(Array.from({ length: 10 }, () => publish(hook, alice, 'alice/same')));
    expect(decisions.every((decision) => decision.outcome === 'allow')).toBe(true);
    expect(endpoint.requests).toHaveLength(1);
  });

  it('is disabled by maxEntries 0', async () => {
    const hook = await createHook({ cache: { maxEntries: 0 } });
    await publish(hook, alice, 'alice/a');
    await publish(hook, alice, 'alice/a');
    expect(endpoint.requests).toHaveLength(2);
  });
});

describe('httpAuth fails closed', () => {
  const failures: ReadonlyArray<readonly [string, EndpointHandler]> = [
    ['HTTP 500', (_body, response) => response.writeHead(500).end('{"result":"allow"}')],
    ['a redirect', (_body, response) => response.writeHead(302, { location: 'http://127.0.0.1:1/' }).end()],
    ['HTTP 204', (_body, response) => response.writeHead(204).end()],
    ['a body that is not JSON', (_body, response) => response.writeHead(200).end('allow')],
    ['JSON without a result', (_body, response) => response.writeHead(200).end('{"allowed":true}')],
    ['an unknown result', (_body, response) => response.writeHead(200).end('{"result":"yes"}')],
    ['a JSON array', (_body, response) => response.writeHead(200).end('["allow"]')],
    [
      'an oversized body',
      (_body, response) => response.writeHead(200).end(`{"result":"allow","pad":"${'x'.repeat(10_000)}"}`),
    ],
    ['a connection closed mid-answer', (_body, response) => response.socket?.destroy()],
  ];

  for (const [description, handler] of failures) {
    it(`denies when the endpoint answers ${description}, and does not cache it`, async () => {
      endpoint.handler = handler;
      const hook = await createHook();
      expect(await connect(hook, alice)).toMatchObject({ outcome: 'deny', reasonCode: 0x88 });
      expect(await publish(hook, alice, 'alice/a')).toMatchObject({ outcome: 'deny', reasonCode: 0x87 });
      endpoint.handler = rules;
      expect(await connect(hook, alice)).toMatchObject({ outcome: 'allow' });
    });
  }

  it('denies when the endpoint is slower than the timeout', async () => {
    endpoint.handler = () => {
      // Never answers; the server's closeAllConnections ends it after the suite.
    };
    const hook = await createHook({ timeout: 150 });
    const started = performance.now();
    expect(await connect(hook, alice)).toMatchObject({
      outcome: 'deny',
      reasonCode: 0x88,
      reason: expect.stringContaining('timed out'),
    });
    const subscribe = await hook.authorizeSubscribe!(createSubscribeContext(alice, 'alice/#'));
    expect(subscribe).toMatchObject({ deny: 0x87 });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('denies when nothing listens on the port', async () => {
    const hook = await createHook({ url: await closedPortUrl() });
    expect(await connect(hook, alice)).toMatchObject({ outcome: 'deny', reasonCode: 0x88 });
    expect(await publish(hook, alice, 'alice/a')).toMatchObject({ outcome: 'deny', reasonCode: 0x87 });
  });

  it('denies after close without calling the endpoint', async () => {
    const hook = await createHook();
    await hook.close!();
    expect(await connect(hook, alice)).toMatchObject({ outcome: 'deny', reasonCode: 0x88 });
    expect(endpoint.requests).toHaveLength(0);
  });

  it('logs failures without the password, once per interval', async () => {
    let now = 0;
    const logger = recordingLogger();
    const hook = await createHook({ url: await closedPortUrl(), clock: () => now }, logger);
    await connect(hook, { username: 'alice', password });
    await connect(hook, { username: 'alice', password });
    expect(logger.lines).toHaveLength(1);
    now = 10_000;
    await connect(hook, { username: 'alice', password });
    expect(logger.lines).toHaveLength(2);
    expect(logger.lines[1]?.[1]).toMatchObject({
      action: 'connect',
      clientId: 'conformance-client',
      suppressedFailures: 1,
    });
    expect(JSON.stringify(logger.lines)).not.toContain(password);
  });

  it('never puts the password in a decision explanation', async () => {
    endpoint.handler = (_body, response) => response.writeHead(500).end(password);
    const hook = await createHook();
    const decision = await connect(hook, { username: 'alice', password });
    expect(JSON.stringify(decision)).not.toContain(password);
  });
});
