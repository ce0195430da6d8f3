import type { Hook, Logger } from '@mqttkit/contracts';
import { defineHook } from '@mqttkit/contracts';
import {
  createAuthenticateContext,
  createPublishContext,
  runAuthProviderConformance,
} from '@mqttkit/contracts/testing';
import { describe, expect, it, vi } from 'vitest';
import { acl } from './acl.js';
import { chain } from './chain.js';
import { clientCertificateAuth } from './client-certificate-auth.js';
import { hashPassword } from './hash-password.js';
import { staticUsers } from './static-users.js';

const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

runAuthProviderConformance({
  name: 'chain of client certificate, static users and acl',
  create: async () =>
    chain([
      clientCertificateAuth(),
      staticUsers({ users: { alice: await hashPassword('wonderland', { logCost: 10 }) } }),
      acl({ users: { alice: [{ access: 'readwrite', filter: 'alice/#' }] } }),
    ]),
  validUser: { username: 'alice', password: 'wonderland' },
  invalidUser: { username: 'alice', password: 'x' },
  unknownUser: { username: 'mallory', password: 'wonderland' },
  allowedPublishes: [{ client: { username: 'alice' }, request: { topic: 'alice/x' } }],
  deniedPublishes: [{ client: { username: 'alice' }, request: { topic: 'bob/x' } }],
  fuzzRuns: 30,
});

describe('chain', () => {
  const deferring = defineHook({ name: 'first', authorizePublish: () => 'defer' as const });
  const denying = defineHook({
    name: 'second',
    authorizePublish: () => ({ deny: 0x87 as const, reason: 'rule 1' }),
  });
  const allowing = defineHook({ name: 'third', authorizePublish: () => 'allow' as const });

  it('returns the first answer other than defer, named after the hook that gave it', async () => {
    const third = vi.spyOn(allowing, 'authorizePublish');
    const hook = chain([deferring, denying, allowing]);
    expect(hook.name).toBe('chain(first,second,third)');
    expect(await hook.authorizePublish!(createPublishContext({}, { topic: 'a' }))).toEqual({
      deny: 0x87,
      reason: 'rule 1',
      decidedBy: 'second',
    });
    expect(third).not.toHaveBeenCalled();
    expect(
      await chain([deferring, allowing]).authorizePublish!(createPublishContext({}, { topic: 'a' })),
    ).toEqual({
      allow: true,
      decidedBy: 'third',
    });
  });

  it('defers when every hook defers, and provides only what its hooks provide', async () => {
    const hook = chain([deferring], { name: 'mine' });
    expect(await hook.authorizePublish!(createPublishContext({}, { topic: 'a' }))).toBe('defer');
    expect(Object.keys(hook)).toEqual(['name', 'authorizePublish']);
  });

  it('[MQTT-4.12.0-2] keeps an enhanced-authentication exchange with the hook that continued it, with its own state', async () => {
    const rounds: unknown[] = [];
    const scram = defineHook({
      name: 'scram',
      authenticate: ({ authenticationMethod, round, state }) => {
        if (authenticationMethod !== 'TEST') return 'defer';
        rounds.push({ round, state: { ...state } });
        if (round === 0) {
          state.nonce = 'n1';
          return { continue: true, authenticationData: new Uint8Array([1]) };
        }
        return state.nonce === 'n1'
          ? { allow: true, authenticationData: new Uint8Array([2]) }
          : { deny: 0x87 };
      },
    });
    const other = defineHook({ name: 'other', authenticate: vi.fn(() => 'defer' as const) });
    const hook = chain([other, scram]);
    const state: Record<string, unknown> = {};
    const first = await hook.authenticate!(
      createAuthenticateContext({}, { authenticationMethod: 'TEST', state }),
    );
    expect(first).toMatchObject({ continue: true, decidedBy: 'scram' });
    const second = await hook.authenticate!(
      createAuthenticateContext({}, { authenticationMethod: 'TEST', state, round: 1 }),
    );
    expect(second).toMatchObject({ allow: true, decidedBy: 'scram' });
    expect(other.authenticate).toHaveBeenCalledTimes(1);
    expect(rounds).toEqual([
      { round: 0, state: {} },
      { round: 1, state: { nonce: 'n1' } },
    ]);
  });

  it('runs onPublish transforms in order and stops at drop', async () => {
    const upper: Hook = {
      name: 'upper',
      onPublish: ({ packet }) => ({ ...packet, topic: packet.topic.toUpperCase() }),
    };
    const keep: Hook = { name: 'keep', onPublish: () => undefined };
    const dropper: Hook = {
      name: 'drop',
      onPublish: ({ packet }) => (packet.topic === 'X' ? 'drop' : undefined),
    };
    const context = {
      client: createPublishContext({}, { topic: 'x' }).client,
      packet: createPublishContext({}, { topic: 'y' }).packet,
    };
    expect(await chain([upper, keep]).onPublish!(context)).toMatchObject({ topic: 'Y' });
    expect(await chain([keep]).onPublish!(context)).toBeUndefined();
    expect(
      await chain([upper, dropper]).onPublish!({ ...context, packet: { ...context.packet, topic: 'x' } }),
    ).toBe('drop');
  });

  it('notifies every hook even when one fails, then reports the failures together', async () => {
    const seen: string[] = [];
    const failing: Hook = { name: 'failing', onClientConnected: () => Promise.reject(new Error('boom')) };
    const listening: Hook = {
      name: 'listening',
      onClientConnected: ({ client }) => void seen.push(client.clientId),
    };
    const context = {
      client: createPublishContext({ clientId: 'c1' }, { topic: 'a' }).client,
      sessionPresent: false,
    };
    await expect(chain([failing, listening]).onClientConnected!(context)).rejects.toThrow(AggregateError);
    expect(seen).toEqual(['c1']);
  });

  it('initializes hooks in order and closes them all', async () => {
    const order: string[] = [];
    const make = (name: string): Hook => ({
      name,
      init: async () => void order.push(`init ${name}`),
      close: () => void order.push(`close ${name}`),
    });
    const hook = chain([make('a'), make('b')]);
    await hook.init!({ logger });
    await hook.close!();
    expect(order).toEqual(['init a', 'init b', 'close a', 'close b']);
  });
});
