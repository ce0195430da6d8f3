import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Command,
  INETProtocol,
  IPv4Address,
  IPv4ProxyAddress,
  IPv6Address,
  IPv6ProxyAddress,
  Peer,
  TransportProtocol,
  UnspecProxyAddress,
  V1ProxyProtocol,
  V2ProxyProtocol,
} from 'proxy-protocol-js';
import type { Duplex } from 'node:stream';
import type { Transport } from '@mqttkit/contracts';
import { createTcpTransport, ProxyHeaderError } from '../src/index.js';
import { connectTcp, destroyAccepted, listenEcho, roundTrip } from './helpers.js';

const transports: Transport[] = [];
const track = <T extends Transport>(transport: T): T => {
  transports.push(transport);
  return transport;
};
afterEach(async () => {
  destroyAccepted();
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
});

const v1 = (source: string, port: number): Buffer =>
  Buffer.from(
    new V1ProxyProtocol(INETProtocol.TCP4, new Peer(source, port), new Peer('10.0.0.1', 1883)).build(),
    'latin1',
  );

describe('createTcpTransport', () => {
  it('listens on loopback by default and hands each connection over as a duplex stream', async () => {
    const transport = track(createTcpTransport({ port: 0 }));
    const { port, next } = await listenEcho(transport);
    expect(transport.address()).toMatchObject({ host: '127.0.0.1', port, url: `mqtt://127.0.0.1:${port}` });
    const client = await connectTcp(port);
    const [echo, { info }] = await Promise.all([roundTrip(client, Buffer.from('hello')), next()]);
    expect(echo.toString()).toBe('hello');
    expect(info).toMatchObject({
      transport: 'tcp',
      listener: `mqtt://127.0.0.1:${port}`,
      remoteAddress: '127.0.0.1',
      remotePort: client.localPort,
      localAddress: '127.0.0.1',
      localPort: port,
      proxied: false,
    });
    expect(info.certificate).toBeUndefined();
    client.destroy();
  });

  it("leaves one error listener: its own until the handler adds one, then only the handler's", async () => {
    const transport = track(createTcpTransport({ port: 0 }));
    const { port, next } = await listenEcho(transport);
    const client = await connectTcp(port);
    const { stream } = await next();
    expect(stream.listenerCount('error')).toBe(1);
    client.destroy();

    const silent = track(createTcpTransport({ port: 0 }));
    const accepted: Duplex[] = [];
    const address = await silent.listen((plain) => accepted.push(plain));
    const second = await connectTcp(address.port);
    await vi.waitFor(() => expect(accepted).toHaveLength(1));
    const plain = accepted[0]!;
    expect(plain.listenerCount('error')).toBe(1);
    // The transport's own listener destroys the socket instead of letting the error throw.
    // (events.once would listen for errors itself.)
    const closed = new Promise((resolve) => plain.once('close', resolve));
    plain.emit('error', new Error('reset by peer'));
    await closed;
    second.destroy();
  });

  it('uses the configured listener name and listens on IPv6 loopback', async () => {
    const transport = track(createTcpTransport({ host: '::1', port: 0, name: 'local6' }));
    const { port, next } = await listenEcho(transport);
    expect(transport.address()?.url).toBe(`mqtt://[::1]:${port}`);
    const client = await connectTcp(port, '::1');
    const { info } = await next();
    expect(info).toMatchObject({
      listener: 'local6',
      remoteAddress: '::1',
      localAddress: '::1',
      localPort: port,
    });
    client.destroy();
  });

  it('rejects listen() with a clear message when the port is taken', async () => {
    const first = track(createTcpTransport({ port: 0 }));
    const { port } = await listenEcho(first);
    const second = track(createTcpTransport({ port }));
    await expect(second.listen(() => {})).rejects.toThrow(
      `cannot listen on 127.0.0.1:${port}: address already in use`,
    );
  });

  it('refuses a second listen() on the same transport', async () => {
    const transport = track(createTcpTransport({ port: 0 }));
    await listenEcho(transport);
    await expect(transport.listen(() => {})).rejects.toThrow('already listening');
  });

  it('stops accepting on close() and resolves once handed-out connections have closed', async () => {
    const transport = createTcpTransport({ port: 0 });
    const { port, next } = await listenEcho(transport);
    const client = await connectTcp(port);
    const { stream } = await next();
    let closed = false;
    const closing = transport.close().then(() => {
      closed = true;
    });
    expect(transport.address()).toBeUndefined();
    await expect(connectTcp(port)).rejects.toThrow();
    expect(closed).toBe(false);
    stream.destroy();
    client.destroy();
    await closing;
    expect(closed).toBe(true);
    await transport.close();
  });

  it('resolves close() at once when it never listened', async () => {
    await createTcpTransport({ port: 0 }).close();
  });
});

describe('createTcpTransport with the PROXY protocol', () => {
  it('takes the client address from a v1 header and keeps the bytes that follow it', async () => {
    const transport = track(createTcpTransport({ port: 0, proxyProtocol: true }));
    const { port, next } = await listenEcho(transport);
    const client = await connectTcp(port);
    const echo = roundTrip(client, Buffer.concat([v1('192.0.2.7', 40001), Buffer.from('mqtt bytes')]), 10);
    const { info } = await next();
    expect(info).toMatchObject({ remoteAddress: '192.0.2.7', remotePort: 40001, proxied: true });
    expect((await echo).toString()).toBe('mqtt bytes');
    client.destroy();
  });

  it('reads a v1 header that arrives one byte at a time', async () => {
    const transport = track(createTcpTransport({ port: 0, proxyProtocol: true }));
    const { port, next } = await listenEcho(transport);
    const client = await connectTcp(port);
    client.setNoDelay(true);
    for (const byte of v1('198.51.100.3', 5000)) {
      client.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const { info } = await next();
    expect(info).toMatchObject({ remoteAddress: '198.51.100.3', remotePort: 5000 });
    client.destroy();
  });

  it('takes IPv4 and IPv6 client addresses from v2 headers', async () => {
    const transport = track(createTcpTransport({ port: 0, proxyProtocol: true }));
    const { port, next } = await listenEcho(transport);
    const v4 = new V2ProxyProtocol(
      Command.PROXY,
      TransportProtocol.STREAM,
      new IPv4ProxyAddress(
        IPv4Address.createFrom([203, 0, 113, 9]),
        1234,
        IPv4Address.createFrom([10, 0, 0, 1]),
        1883,
      ),
    ).build();
    const ipv6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01];
    const v6 = new V2ProxyProtocol(
      Command.PROXY,
      TransportProtocol.STREAM,
      new IPv6ProxyAddress(IPv6Address.createFrom(ipv6), 4321, IPv6Address.createFrom(ipv6), 1883),
    ).build();
    const first = await connectTcp(port);
    first.write(Buffer.concat([Buffer.from(v4), Buffer.from('after')]));
    expect((await next()).info).toMatchObject({
      remoteAddress: '203.0.113.9',
      remotePort: 1234,
      proxied: true,
    });
    const second = await connectTcp(port);
    second.write(v6);
    expect((await next()).info).toMatchObject({
      remoteAddress: '2001:db8::1',
      remotePort: 4321,
      proxied: true,
    });
    first.destroy();
    second.destroy();
  });

  it('keeps the socket address for a v2 LOCAL header (the proxy checking health)', async () => {
    const transport = track(createTcpTransport({ port: 0, proxyProtocol: true }));
    const { port, next } = await listenEcho(transport);
    const client = await connectTcp(port);
    client.write(
      new V2ProxyProtocol(Command.LOCAL, TransportProtocol.UNSPEC, new UnspecProxyAddress()).build(),
    );
    expect((await next()).info).toMatchObject({ remoteAddress: '127.0.0.1', proxied: false });
    client.destroy();
  });

  it('closes a connection that does not start with a PROXY header, and reports why', async () => {
    const onConnectionError = vi.fn();
    const handler = vi.fn();
    const transport = track(createTcpTransport({ port: 0, proxyProtocol: true, onConnectionError }));
    const { port } = await transport.listen(handler);
    const client = await connectTcp(port);
    client.write(Buffer.from([0x10, 0x0c, 0x00, 0x04]));
    await once(client, 'close');
    expect(handler).not.toHaveBeenCalled();
    expect(onConnectionError).toHaveBeenCalledWith(expect.any(ProxyHeaderError));
  });

  it('closes a connection whose v1 header never ends', async () => {
    const onConnectionError = vi.fn();
    const transport = track(createTcpTransport({ port: 0, proxyProtocol: true, onConnectionError }));
    const { port } = await transport.listen(() => {});
    const client = await connectTcp(port);
    client.write(`PROXY TCP4 ${'1'.repeat(120)}`);
    await once(client, 'close');
    expect(onConnectionError.mock.calls[0]?.[0].message).toContain('longer than 107 bytes');
  });

  it('closes a connection whose v1 header is malformed', async () => {
    const onConnectionError = vi.fn();
    const transport = track(createTcpTransport({ port: 0, proxyProtocol: true, onConnectionError }));
    const { port } = await transport.listen(() => {});
    const client = await connectTcp(port);
    client.write('PROXY TCP4 not-an-address\r\n');
    await once(client, 'close');
    expect(onConnectionError.mock.calls[0]?.[0]).toBeInstanceOf(ProxyHeaderError);
  });

  it('closes a connection that sends no header within the handshake timeout', async () => {
    const onConnectionError = vi.fn();
    const transport = track(
      createTcpTransport({ port: 0, proxyProtocol: true, handshakeTimeout: 50, onConnectionError }),
    );
    const { port } = await transport.listen(() => {});
    const client = await connectTcp(port);
    await once(client, 'close');
    expect(onConnectionError.mock.calls[0]?.[0].message).toContain('no PROXY header within 50 ms');
  });

  it('closes quietly when the peer ends before the header is complete', async () => {
    const onConnectionError = vi.fn();
    const transport = track(createTcpTransport({ port: 0, proxyProtocol: true, onConnectionError }));
    const { port } = await transport.listen(() => {});
    const client = await connectTcp(port);
    client.end('PROXY TCP4');
    await once(client, 'close');
    await vi.waitFor(() => expect(onConnectionError).toHaveBeenCalled());
    expect(onConnectionError.mock.calls[0]?.[0].message).toContain('ended before the PROXY header');
  });
});
