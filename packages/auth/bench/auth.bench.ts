import {
  createAuthenticateContext,
  createPublishContext,
  createSubscribeContext,
} from '@mqttkit/contracts/testing';
import { bench, describe } from 'vitest';
import { acl, hashMosquittoPassword, hashPassword, staticUsers } from '../src/index.js';

const context = createAuthenticateContext({ username: 'alice', password: 'wonderland' });
const scryptUsers = staticUsers({ users: { alice: await hashPassword('wonderland') } });
const pbkdf2Users = staticUsers({ users: { alice: await hashMosquittoPassword('wonderland') } });
const sha512Users = staticUsers({
  users: { alice: await hashMosquittoPassword('wonderland', { algorithm: 'sha512' }) },
});

describe('authenticate (one verification)', () => {
  bench('scrypt N=2^14 r=8 p=1 (default)', async () => {
    await scryptUsers.authenticate!(context);
  });
  bench('mosquitto $7$ PBKDF2-SHA512, 101 iterations', async () => {
    await pbkdf2Users.authenticate!(context);
  });
  bench('mosquitto $6$ SHA-512', async () => {
    await sha512Users.authenticate!(context);
  });
});

const users = Object.fromEntries(
  Array.from({ length: 1000 }, (_, index) => [
    `user${index}`,
    [{ access: 'readwrite' as const, filter: `devices/${index}/#` }],
  ]),
);
const rules = acl({
  everyone: Array.from({ length: 50 }, (_, index) => ({
    access: 'read' as const,
    filter: `public/${index}/+`,
  })),
  users,
});
const publish = createPublishContext({ username: 'user500' }, { topic: 'devices/500/telemetry/temperature' });
const subscribe = createSubscribeContext({ username: 'user500' }, 'public/49/+');

describe('acl (1,000 users, 50 rules for everyone)', () => {
  bench('authorizePublish', () => {
    void rules.authorizePublish!(publish);
  });
  bench('authorizeSubscribe', () => {
    void rules.authorizeSubscribe!(subscribe);
  });
});
