import { describe, expect, it } from 'vitest';
import { configSchema } from './config-schema.js';
import { isLoopbackHost } from './is-loopback-host.js';
import { resolveListeners } from './resolve-listeners.js';

describe('resolveListeners', () => {
  it('opens TCP on both loopback addresses by default, anonymous allowed, IPv6 optional', () => {
    const listeners = resolveListeners(configSchema.parse({ port: 1999 }));
    expect(
      listeners.map(({ name, host, port, allowAnonymous, optional }) => ({
        name,
        host,
        port,
        allowAnonymous,
        optional,
      })),
    ).toEqual([
      { name: 'tcp://127.0.0.1:1999', host: '127.0.0.1', port: 1999, allowAnonymous: true, optional: false },
      { name: 'tcp://[::1]:1999', host: '::1', port: 1999, allowAnonymous: true, optional: true },
    ]);
  });

  it('applies the default port and path of each type', () => {
    const config = configSchema.parse({
      listeners: [
        { type: 'ws' },
        { type: 'tls', tls: { cert: 'c', key: 'k' } },
        { type: 'ws', name: 'browser', path: '/ws' },
      ],
    });
    expect(resolveListeners(config).map(({ name, port, path }) => ({ name, port, path }))).toEqual([
      { name: 'ws://127.0.0.1:8080/mqtt', port: 8080, path: '/mqtt' },
      { name: 'tls://127.0.0.1:8883', port: 8883, path: undefined },
      { name: 'browser', port: 8080, path: '/ws' },
    ]);
  });

  it('requires anonymous access to be asked for once authentication is configured', () => {
    const config = configSchema.parse({
      auth: { passwordFile: '/etc/passwd' },
      listeners: [{}, { allowAnonymous: true, port: 1 }],
    });
    expect(resolveListeners(config).map((listener) => listener.allowAnonymous)).toEqual([false, true]);
  });
});

describe('isLoopbackHost', () => {
  it('knows the loopback addresses', () => {
    expect(
      ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'].every(isLoopbackHost),
    ).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', 'example.com', '128.0.0.1'].some(isLoopbackHost)).toBe(false);
  });
});
