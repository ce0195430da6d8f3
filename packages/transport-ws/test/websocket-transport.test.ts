import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, get } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ConnectionInfo, Transport } from '@mqttkit/contracts';
import { createWebSocketTransport } from '../src/index.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`fixtures/${name}`, import.meta.url));
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Accepted {
  stream: Duplex;
  info: ConnectionInfo;
}

async function listen(transport: Transport): Promise<{ port: number; next: () => Promise<Accepted> }> {
  const queue: Accepted[] = [];
  const waiting: ((accepted: Accepted) => void)[] = [];
  const streams: Duplex[] = [];
  cleanups.push(() => transport.close());
  cleanups.push(() => streams.forEach((stream) => stream.destroy()));
  const { port } = await transport.listen((stream, info) => {
    streams.push(stream);
    stream.on('data', (chunk: Buffer) => stream.write(chunk));
    stream.on('error', () => {});
    const accepted = { stream, info };
    const resolve = waiting.shift();
    if (resolve) resolve(accepted);
    else queue.push(accepted);
  });
  return {
    port,
    next: () =>
      queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => waiting.push(resolve)),
  };
}

async function open(
  url: string,
  options: WebSocket.ClientOptions & { protocols?: string[] } = {},
): Promise<WebSocket> {
  const { protocols = ['mqtt'], ...rest } = options;
  const socket = new WebSocket(url, protocols, rest);
  cleanups.push(() => socket.terminate());
  await once(socket, 'open');
  return socket;
}

async function echo(socket: WebSocket, text: string): Promise<string> {
  const reply = once(socket, 'message');
  socket.send(Buffer.from(text));
  const [data] = (await reply) as [Buffer];
  return data.toString();
}

describe('createWebSocketTransport', () => {
  it('[MQTT-6.0.0-4] serves MQTT on /mqtt and selects the "mqtt" subprotocol', async () => {
    const transport = createWebSocketTransport({ port: 0 });
    const { port, next } = await listen(transport);
    expect(transport.address()?.url).toBe(`ws://127.0.0.1:${port}/mqtt`);
    const socket = await open(`ws://127.0.0.1:${port}/mqtt`);
    expect(socket.protocol).toBe('mqtt');
    const [reply, { info }] = await Promise.all([echo(socket, 'binary frames'), next()]);
    expect(reply).toBe('binary frames');
    expect(info).toMatchObject({
      transport: 'ws',
      listener: `ws://127.0.0.1:${port}/mqtt`,
      remoteAddress: '127.0.0.1',
      proxied: false,
    });
  });

  it('selects "mqttv3.1" for MQTT 3.1 clients and accepts clients that offer no subprotocol', async () => {
    const { port } = await listen(createWebSocketTransport({ port: 0 }));
    expect((await open(`ws://127.0.0.1:${port}/mqtt`, { protocols: ['mqttv3.1'] })).protocol).toBe(
      'mqttv3.1',
    );
    expect((await open(`ws://127.0.0.1:${port}/mqtt`, { protocols: [] })).protocol).toBe('');
  });

  it('selects no subprotocol for a client that offers only others, which then fails', async () => {
    const { port } = await listen(createWebSocketTransport({ port: 0 }));
    const socket = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, ['graphql-ws']);
    const [error] = (await once(socket, 'error')) as [Error];
    expect(error.message).toContain('Server sent no subprotocol');
  });

  it('answers 404 on other paths of its own server', async () => {
    const { port } = await listen(createWebSocketTransport({ port: 0, path: '/ws' }));
    const socket = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, ['mqtt']);
    const [error] = (await once(socket, 'error')) as [Error];
    expect(error.message).toContain('404');
    const [response] = (await once(get(`http://127.0.0.1:${port}/`), 'response')) as [IncomingMessage];
    expect(response.statusCode).toBe(404);
    response.resume();
  });

  it('attaches to an existing http.Server and leaves its other requests and upgrades alone', async () => {
    const server = createServer((_request, response) => response.end('app page'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const port = (server.address() as AddressInfo).port;
    const transport = createWebSocketTransport({ server });
    const { next } = await listen(transport);
    expect(transport.address()?.url).toBe(`ws://127.0.0.1:${port}/mqtt`);
    const socket = await open(`ws://127.0.0.1:${port}/mqtt`);
    expect(await echo(socket, 'shared')).toBe('shared');
    expect((await next()).info.transport).toBe('ws');
    const [response] = (await once(get(`http://127.0.0.1:${port}/`), 'response')) as [IncomingMessage];
    const body = await new Promise<string>((resolve) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString())).on('end', () => resolve(text));
    });
    expect(body).toBe('app page');
    socket.terminate();
    await transport.close();
    expect(server.listening).toBe(true);
  });

  it('takes the client address from X-Forwarded-For only when trustProxy is set', async () => {
    const trusting = await listen(createWebSocketTransport({ port: 0, trustProxy: true }));
    await open(`ws://127.0.0.1:${trusting.port}/mqtt`, {
      headers: { 'x-forwarded-for': '203.0.113.5, 10.0.0.2' },
    });
    expect((await trusting.next()).info).toMatchObject({ remoteAddress: '203.0.113.5', proxied: true });
    const plain = await listen(createWebSocketTransport({ port: 0 }));
    await open(`ws://127.0.0.1:${plain.port}/mqtt`, { headers: { 'x-forwarded-for': '203.0.113.5' } });
    expect((await plain.next()).info).toMatchObject({ remoteAddress: '127.0.0.1', proxied: false });
  });

  it('serves WSS with client certificates', async () => {
    const transport = createWebSocketTransport({
      port: 0,
      tls: {
        key: fixture('server-key.pem'),
        cert: fixture('server.pem'),
        ca: fixture('ca.pem'),
        requestCert: true,
      },
    });
    const { port, next } = await listen(transport);
    expect(transport.kind).toBe('wss');
    const socket = await open(`wss://localhost:${port}/mqtt`, {
      ca: fixture('ca.pem'),
      key: fixture('client-key.pem'),
      cert: fixture('client.pem'),
    });
    expect(await echo(socket, 'secure')).toBe('secure');
    expect((await next()).info).toMatchObject({
      transport: 'wss',
      certificate: { subjectCommonName: 'alice', authorized: true },
    });
  });

  it('serves new certificates after setSecureContext() and refuses it without a TLS server of its own', async () => {
    const transport = createWebSocketTransport({
      port: 0,
      tls: { key: fixture('server-key.pem'), cert: fixture('server.pem') },
    });
    const { port } = await listen(transport);
    transport.setSecureContext({ key: fixture('client-key.pem'), cert: fixture('client.pem') });
    const socket = await open(`wss://localhost:${port}/mqtt`, { rejectUnauthorized: false });
    const certificate = (socket as unknown as { _socket: TLSSocket })._socket.getPeerCertificate();
    expect(certificate.subject.CN).toBe('alice');
    expect(() => createWebSocketTransport({ port: 0 }).setSecureContext({})).toThrow(
      'no TLS server of its own',
    );
  });

  it('rejects listen() with a clear message when the port is taken', async () => {
    const first = await listen(createWebSocketTransport({ port: 0 }));
    const second = createWebSocketTransport({ port: first.port });
    await expect(second.listen(() => {})).rejects.toThrow(
      `cannot listen on 127.0.0.1:${first.port}: address already in use`,
    );
    await expect(createWebSocketTransport({ port: 0 }).close()).resolves.toBeUndefined();
  });

  it('stops accepting on close() and resolves once its connections have closed', async () => {
    const transport = createWebSocketTransport({ port: 0 });
    const { port, next } = await listen(transport);
    const socket = await open(`ws://127.0.0.1:${port}/mqtt`);
    const { stream } = await next();
    let closed = false;
    const closePromise = transport.close();
    const closing = closePromise.then(() => (closed = true));
    expect(transport.address()).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    expect(await echo(socket, 'still served')).toBe('still served');
    stream.destroy();
    await closing;
    expect(closed).toBe(true);
    expect(transport.close()).toBe(closePromise);
  });
});
