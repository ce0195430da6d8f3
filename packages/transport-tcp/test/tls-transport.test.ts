import { once } from 'node:events';
import { connect as connectTls } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { INETProtocol, Peer, V1ProxyProtocol } from 'proxy-protocol-js';
import type { Transport } from '@mqttkit/contracts';
import { createTlsTransport } from '../src/index.js';
import type { TlsTransportOptions } from '../src/index.js';
import { connectTcp, destroyAccepted, fixture, listenEcho, roundTrip } from './helpers.js';

const serverOptions: TlsTransportOptions = {
  port: 0,
  key: fixture('server-key.pem'),
  cert: fixture('server.pem'),
};
const ca = fixture('ca.pem');
const alice = { key: fixture('client-key.pem'), cert: fixture('client.pem') };
const mallory = { key: fixture('stranger-key.pem'), cert: fixture('stranger.pem') };

const transports: Transport[] = [];
const track = <T extends Transport>(transport: T): T => {
  transports.push(transport);
  return transport;
};
afterEach(async () => {
  destroyAccepted();
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
});

async function connectSecure(options: {
  port: number;
  socket?: Duplex;
  key?: Buffer;
  cert?: Buffer;
  ca?: Buffer;
}): Promise<TLSSocket> {
  const socket = connectTls({ host: '127.0.0.1', servername: 'localhost', ca: options.ca ?? ca, ...options });
  await once(socket, 'secureConnect');
  return socket;
}

describe('createTlsTransport', () => {
  it('completes the TLS handshake and hands over the decrypted stream', async () => {
    const transport = track(createTlsTransport(serverOptions));
    const { port, next } = await listenEcho(transport);
    expect(transport.address()?.url).toBe(`mqtts://127.0.0.1:${port}`);
    const client = await connectSecure({ port });
    const [echo, { info }] = await Promise.all([roundTrip(client, Buffer.from('secret')), next()]);
    expect(echo.toString()).toBe('secret');
    expect(info).toMatchObject({ transport: 'tls', remoteAddress: '127.0.0.1', proxied: false });
    expect(info.certificate).toBeUndefined();
    client.destroy();
  });

  it('gives the client certificate to the broker with mTLS', async () => {
    const transport = track(createTlsTransport({ ...serverOptions, ca, requestCert: true }));
    const { port, next } = await listenEcho(transport);
    const client = await connectSecure({ port, ...alice });
    const { info } = await next();
    expect(info.certificate).toMatchObject({
      subjectCommonName: 'alice',
      subject: 'CN=alice,O=mqttkit',
      authorized: true,
    });
    expect(info.certificate?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(info.certificate?.raw.length).toBeGreaterThan(100);
    client.destroy();
  });

  it('refuses a certificate from an unknown CA, and a client with no certificate', async () => {
    const onConnectionError = vi.fn();
    const handler = vi.fn();
    const transport = track(
      createTlsTransport({ ...serverOptions, ca, requestCert: true, onConnectionError }),
    );
    const { port } = await transport.listen(handler);
    for (const credentials of [mallory, {}]) {
      const client = connectTls({ port, host: '127.0.0.1', servername: 'localhost', ca, ...credentials });
      // The client may see the server's alert as an error; what matters is that the connection ends.
      await new Promise((resolve) => client.on('error', () => {}).once('close', resolve));
    }
    await vi.waitFor(() => expect(onConnectionError).toHaveBeenCalledTimes(2));
    expect(onConnectionError.mock.calls[0]?.[0].message).toContain('client certificate refused');
    expect(handler).not.toHaveBeenCalled();
  });

  it('accepts an unverified certificate when rejectUnauthorized is false, marked as not authorized', async () => {
    const transport = track(
      createTlsTransport({ ...serverOptions, ca, requestCert: true, rejectUnauthorized: false }),
    );
    const { port, next } = await listenEcho(transport);
    const client = await connectSecure({ port, ...mallory });
    const { info } = await next();
    expect(info.certificate).toMatchObject({ subjectCommonName: 'mallory', authorized: false });
    client.destroy();
  });

  it('closes a connection whose handshake does not finish in time', async () => {
    const onConnectionError = vi.fn();
    const transport = track(
      createTlsTransport({ ...serverOptions, handshakeTimeout: 50, onConnectionError }),
    );
    const { port } = await transport.listen(() => {});
    const client = await connectTcp(port);
    await once(client, 'close');
    expect(onConnectionError.mock.calls[0]?.[0].message).toContain('TLS handshake not finished within 50 ms');
  });

  it('closes a connection that speaks plain MQTT to the TLS port', async () => {
    const onConnectionError = vi.fn();
    const transport = track(createTlsTransport({ ...serverOptions, onConnectionError }));
    const { port } = await transport.listen(() => {});
    const client = await connectTcp(port);
    client.write(Buffer.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c]));
    await once(client, 'close');
    await vi.waitFor(() => expect(onConnectionError).toHaveBeenCalled());
  });

  it('serves new certificates after setSecureContext() without dropping open connections', async () => {
    const transport = track(createTlsTransport(serverOptions));
    const { port, next } = await listenEcho(transport);
    const before = await connectSecure({ port });
    await next();
    // The client certificate is signed by the same CA, so a client trusting that CA accepts it as a server
    // certificate for this test; what matters is that the served certificate changed.
    transport.setSecureContext({ key: fixture('client-key.pem'), cert: fixture('client.pem') });
    const after = connectTls({
      port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca,
      rejectUnauthorized: false,
    });
    await once(after, 'secureConnect');
    expect(after.getPeerCertificate().subject.CN).toBe('alice');
    expect((await roundTrip(before, Buffer.from('still open'))).toString()).toBe('still open');
    before.destroy();
    after.destroy();
  });
});

describe('createTlsTransport with the PROXY protocol', () => {
  const header = (source: string): Buffer =>
    Buffer.from(
      new V1ProxyProtocol(INETProtocol.TCP4, new Peer(source, 777), new Peer('10.0.0.1', 8883)).build(),
    );

  it('reads the header before the handshake when the header arrives alone', async () => {
    const transport = track(createTlsTransport({ ...serverOptions, proxyProtocol: true }));
    const { port, next } = await listenEcho(transport);
    const raw = await connectTcp(port);
    raw.write(header('192.0.2.44'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const client = await connectSecure({ port, socket: raw });
    const [echo, { info }] = await Promise.all([roundTrip(client, Buffer.from('ok')), next()]);
    expect(echo.toString()).toBe('ok');
    expect(info).toMatchObject({
      transport: 'tls',
      remoteAddress: '192.0.2.44',
      remotePort: 777,
      proxied: true,
    });
    client.destroy();
  });

  it('keeps the TLS bytes that arrive in the same packet as the header', async () => {
    const transport = track(
      createTlsTransport({ ...serverOptions, ca, requestCert: true, proxyProtocol: true }),
    );
    const { port, next } = await listenEcho(transport);
    const raw = await connectTcp(port);
    let first = true;
    // A bridge that glues the header to the client's first TLS record, as a load balancer may.
    const bridge = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        raw.write(first ? Buffer.concat([header('198.51.100.8'), chunk]) : chunk, callback);
        first = false;
      },
    });
    raw.on('data', (chunk: Buffer) => bridge.push(chunk));
    raw.on('end', () => bridge.push(null));
    const client = await connectSecure({ port, socket: bridge, ...alice });
    const [echo, { info }] = await Promise.all([roundTrip(client, Buffer.from('glued')), next()]);
    expect(echo.toString()).toBe('glued');
    expect(info).toMatchObject({ remoteAddress: '198.51.100.8', proxied: true });
    expect(info.certificate?.subjectCommonName).toBe('alice');
    client.destroy();
    raw.destroy();
  });
});
