import {
  createAuthenticateContext,
  createPublishContext,
  createSubscribeContext,
  runAuthProviderConformance,
} from '@mqttkit/contracts/testing';
import { describe, expect, it } from 'vitest';
import { callbackAuth } from './callback-auth.js';

const decoder = new TextDecoder();

runAuthProviderConformance({
  name: 'callbackAuth',
  create: () =>
    callbackAuth({
      authenticate: async ({ client, password }) =>
        client.username === 'alice' && password !== undefined && decoder.decode(password) === 'wonderland',
      authorizePublish: ({ client, topic }) => topic.startsWith(`${client.username ?? '?'}/`),
      authorizeSubscribe: async ({ topicFilter }) => (topicFilter === 'news/#' ? 'allow' : 'defer'),
    }),
  validUser: { username: 'alice', password: 'wonderland' },
  invalidUser: { username: 'alice', password: 'x' },
  unknownUser: { username: 'mallory', password: 'wonderland' },
  allowedPublishes: [{ client: { username: 'alice' }, request: { topic: 'alice/x' } }],
  deniedPublishes: [{ client: { username: 'alice' }, request: { topic: 'bob/x' } }],
  allowedSubscribes: [{ client: {}, request: 'news/#' }],
  fuzzRuns: 30,
});

describe('callbackAuth', () => {
  it('maps true and false to allow and deny (0x86 to connect, 0x87 to publish and subscribe)', async () => {
    const yes = callbackAuth({ authenticate: () => true, authorizeSubscribe: () => true });
    const no = callbackAuth({
      authenticate: () => false,
      authorizePublish: () => Promise.resolve(false),
      authorizeSubscribe: () => false,
    });
    expect(await yes.authenticate!(createAuthenticateContext())).toMatchObject({ allow: true });
    expect(await yes.authorizeSubscribe!(createSubscribeContext({}, 'a'))).toMatchObject({ allow: true });
    expect(await no.authenticate!(createAuthenticateContext())).toMatchObject({ deny: 0x86 });
    expect(await no.authorizePublish!(createPublishContext({}, { topic: 'a' }))).toMatchObject({
      deny: 0x87,
    });
    expect(await no.authorizeSubscribe!(createSubscribeContext({}, 'a'))).toMatchObject({ deny: 0x87 });
  });

  it('passes decisions through, including an identity and roles', async () => {
    const hook = callbackAuth({ authenticate: () => ({ allow: true, username: 'svc', roles: ['ops'] }) });
    expect(await hook.authenticate!(createAuthenticateContext())).toEqual({
      allow: true,
      username: 'svc',
      roles: ['ops'],
    });
  });

  it('fails closed with 0x80 when a callback throws or rejects', async () => {
    const hook = callbackAuth({
      authenticate: () => {
        throw new Error('database down');
      },
      authorizePublish: () => Promise.reject(new Error('timeout')),
    });
    expect(await hook.authenticate!(createAuthenticateContext())).toEqual({
      deny: 0x80,
      reason: 'callback threw: database down',
    });
    expect(await hook.authorizePublish!(createPublishContext({}, { topic: 'a' }))).toMatchObject({
      deny: 0x80,
    });
  });

  it('provides only the methods it was given', () => {
    expect(Object.keys(callbackAuth({ name: 'mine', authorizePublish: () => true }))).toEqual([
      'name',
      'authorizePublish',
    ]);
  });
});
