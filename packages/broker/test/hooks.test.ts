import { subscribe as subscribeChannel, unsubscribe as unsubscribeChannel } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReasonCode } from '@mqttkit/codec';
import type { Hook } from '@mqttkit/contracts';
import { allowEverything, inbox, startBroker } from './helpers.js';
import type { Running } from './helpers.js';
import { rawClient } from './raw-client.js';

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const quietLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: vi.fn() };

describe('hooks', () => {
  it('denies when a hook throws, logs it, and keeps serving everyone else', async () => {
    const fragile: Hook = {
      name: 'fragile',
      authenticate: ({ client }) => {
        if (client.clientId === 'boom') throw new Error('backend down');
        return 'allow';
      },
      authorizePublish: ({ topic }) => {
        if (topic === 'boom') throw new Error('acl backend down');
        return 'allow';
      },
      authorizeSubscribe: () => 'allow',
      onPublished: () => {
        throw new Error('notification failure');
      },
    };
    const logger = { ...quietLogger, error: vi.fn() };
    running = await startBroker({ hooks: [fragile], logger });
    await expect(running.client({ protocolVersion: 5, clientId: 'boom' })).rejects.toMatchObject({
      code: ReasonCode.ServerUnavailable,
    });
    const client = await running.client({ protocolVersion: 5 });
    const received = inbox(client);
    await client.subscribeAsync('#', { qos: 1 });
    await expect(client.publishAsync('boom', 'x', { qos: 1 })).rejects.toMatchObject({
      code: ReasonCode.UnspecifiedError,
    });
    await client.publishAsync('fine', 'y', { qos: 1 });
    expect((await received.next(1))[0]!.topic).toBe('fine');
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('fragile'), expect.anything());
  });

  it('calls notifications for connect, subscribe, publish and disconnect', async () => {
    const events: string[] = [];
    const observer: Hook = {
      name: 'observer',
      onClientConnected: ({ client, sessionPresent }) =>
        void events.push(`connected ${client.clientId} ${sessionPresent}`),
      onSubscribed: ({ subscriptions, reasonCodes }) =>
        void events.push(`subscribed ${subscriptions[0]!.topicFilter} ${reasonCodes.join()}`),
      onPublished: ({ packet, deliveredTo }) => void events.push(`published ${packet.topic} ${deliveredTo}`),
      onUnsubscribed: ({ topicFilters }) => void events.push(`unsubscribed ${topicFilters.join()}`),
      onClientDisconnected: ({ client, clean }) =>
        void events.push(`disconnected ${client.clientId} ${clean}`),
    };
    running = await startBroker({ hooks: [allowEverything, observer] });
    const client = await running.client({ protocolVersion: 5, clientId: 'watched' });
    await client.subscribeAsync('a/+', { qos: 1 });
    await client.publishAsync('a/b', 'x', { qos: 1 });
    await client.unsubscribeAsync('a/+');
    await client.endAsync();
    await vi.waitFor(() => expect(events).toContain('disconnected watched true'));
    expect(events).toEqual([
      'connected watched false',
      'subscribed a/+ 1',
      'published a/b 1',
      'unsubscribed a/+',
      'disconnected watched true',
    ]);
  });

  it('runs MQTT 5 enhanced authentication rounds with AUTH packets and returns the server data in CONNACK', async () => {
    const challenge: Hook = {
      name: 'challenge',
      authenticate: ({ authenticationMethod, authenticationData, round }) => {
        if (authenticationMethod !== 'TOY') return 'defer';
        if (round === 0) return { continue: true, authenticationData: Buffer.from('challenge') };
        return Buffer.from(authenticationData ?? []).toString() === 'response'
          ? { allow: true, authenticationData: Buffer.from('welcome') }
          : { deny: ReasonCode.NotAuthorized };
      },
      authorizePublish: () => 'allow',
      authorizeSubscribe: () => 'allow',
    };
    running = await startBroker({ hooks: [challenge] });
    const client = await rawClient(running.port, 5);
    client.send({
      type: 'connect',
      protocolVersion: 5,
      clean: true,
      keepAlive: 0,
      clientId: 'toy',
      properties: { authenticationMethod: 'TOY' },
    });
    // [MQTT-4.12.0-2] the server continues the exchange with AUTH 0x18.
    expect(await client.next()).toMatchObject({
      type: 'auth',
      reasonCode: ReasonCode.ContinueAuthentication,
      properties: { authenticationMethod: 'TOY' },
    });
    client.send({
      type: 'auth',
      reasonCode: ReasonCode.ContinueAuthentication,
      properties: { authenticationMethod: 'TOY', authenticationData: Buffer.from('response') },
    });
    const connack = await client.next();
    expect(connack).toMatchObject({
      type: 'connack',
      reasonCode: ReasonCode.Success,
      properties: { authenticationMethod: 'TOY' },
    });
    expect(
      Buffer.from(
        (connack as { properties: { authenticationData: Uint8Array } }).properties.authenticationData,
      ).toString(),
    ).toBe('welcome');

    const refused = await rawClient(running.port, 5);
    refused.send({
      type: 'connect',
      protocolVersion: 5,
      clean: true,
      keepAlive: 0,
      clientId: 'toy2',
      properties: { authenticationMethod: 'TOY' },
    });
    await refused.next();
    refused.send({
      type: 'auth',
      reasonCode: ReasonCode.ContinueAuthentication,
      properties: { authenticationMethod: 'TOY', authenticationData: Buffer.from('wrong') },
    });
    expect(await refused.next()).toMatchObject({ type: 'connack', reasonCode: ReasonCode.NotAuthorized });
    await refused.closed();
    client.socket.destroy();
  });

  it('answers 0x8C to an authentication method no hook knows', async () => {
    const methodAware: Hook = {
      name: 'aware',
      authenticate: ({ authenticationMethod }) =>
        authenticationMethod === 'SCRAM-SHA-256' ? 'allow' : 'defer',
    };
    running = await startBroker({ hooks: [methodAware] });
    const client = await rawClient(running.port, 5);
    client.send({
      type: 'connect',
      protocolVersion: 5,
      clean: true,
      keepAlive: 0,
      clientId: 'y',
      properties: { authenticationMethod: 'UNKNOWN' },
    });
    expect(await client.next()).toMatchObject({
      type: 'connack',
      reasonCode: ReasonCode.BadAuthenticationMethod,
    });
    await client.closed();
  });

  it('refuses a client whose will it may not publish', async () => {
    const noWills: Hook = {
      ...allowEverything,
      name: 'no-wills',
      authorizePublish: ({ will }) => (will ? { deny: ReasonCode.NotAuthorized } : 'allow'),
    };
    running = await startBroker({ hooks: [noWills] });
    await expect(
      running.client({
        protocolVersion: 5,
        will: { topic: 'w', payload: Buffer.from('x'), qos: 0, retain: false },
      }),
    ).rejects.toMatchObject({
      code: ReasonCode.NotAuthorized,
    });
  });
});

describe('diagnostics channels', () => {
  it('reports connects, received and delivered publishes, and disconnects', async () => {
    const seen: string[] = [];
    const listeners = {
      'mqtt:client:connect': (message: unknown) =>
        seen.push(`connect ${(message as { client: { clientId: string } }).client.clientId}`),
      'mqtt:publish:receive': (message: unknown) =>
        seen.push(`receive ${(message as { message: { topic: string } }).message.topic}`),
      'mqtt:publish:deliver': (message: unknown) =>
        seen.push(`deliver ${(message as { clientId: string }).clientId}`),
      'mqtt:client:disconnect': (message: unknown) =>
        seen.push(`disconnect ${(message as { client: { clientId: string } }).client.clientId}`),
    };
    for (const [name, listener] of Object.entries(listeners)) subscribeChannel(name, listener);
    try {
      running = await startBroker();
      const client = await running.client({ protocolVersion: 5, clientId: 'diag' });
      await client.subscribeAsync('d', { qos: 0 });
      await client.publishAsync('d', 'x', { qos: 1 });
      await client.endAsync();
      await vi.waitFor(() => expect(seen).toContain('disconnect diag'));
      expect(seen).toEqual(['connect diag', 'receive d', 'deliver diag', 'disconnect diag']);
    } finally {
      for (const [name, listener] of Object.entries(listeners)) unsubscribeChannel(name, listener);
    }
  });
});
