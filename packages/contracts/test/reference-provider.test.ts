import { ReasonCode } from '@mqttkit/codec';
import { defineHook } from '@mqttkit/contracts';
import { runAuthProviderConformance } from '@mqttkit/contracts/testing';

// A minimal provider written only against the public contract, proving the suite is passable
// and exercising every option of it.
const password = 'correct horse';
const referenceProvider = () =>
  defineHook({
    name: 'reference',
    authenticate({ client, password: given }) {
      if (client.username === 'nobody') return 'defer';
      const ok =
        client.username === 'alice' && given !== undefined && new TextDecoder().decode(given) === password;
      return ok ? { allow: true, reason: 'alice known' } : { deny: ReasonCode.BadUserNameOrPassword };
    },
    authorizePublish: ({ client, topic }) =>
      topic.startsWith(`users/${client.username ?? ''}/`) ? 'allow' : { deny: ReasonCode.NotAuthorized },
    authorizeSubscribe: ({ topicFilter }) => (topicFilter === 'public/#' ? 'allow' : 'defer'),
    close() {},
  });

runAuthProviderConformance({
  name: 'reference provider',
  create: referenceProvider,
  validUser: { username: 'alice', password },
  invalidUser: { username: 'alice', password: 'wrong' },
  unknownUser: { username: 'mallory', password },
  allowedPublishes: [{ client: { username: 'alice' }, request: { topic: 'users/alice/x' } }],
  deniedPublishes: [{ client: { username: 'bob' }, request: { topic: 'users/alice/x', qos: 1 } }],
  allowedSubscribes: [
    { client: {}, request: 'public/#' },
    { client: {}, request: '$share/g/public/#' },
  ],
  fuzzRuns: 50,
});

runAuthProviderConformance({
  name: 'reference provider deferring unknown users',
  create: referenceProvider,
  validUser: { username: 'alice', password },
  unknownUser: { username: 'nobody', password },
  unknownUserAnswer: 'defer',
  fuzzRuns: 10,
});
