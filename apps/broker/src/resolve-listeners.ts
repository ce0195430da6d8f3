import { defaultListenerPorts } from './config-schema.js';
import type { ListenerConfig, ListenerType, MqttkitConfig } from './config-schema.js';
import { hasAuthentication } from './has-authentication.js';
import { isLoopbackHost } from './is-loopback-host.js';

/** A listener with every default applied. */
export interface ResolvedListener {
  readonly name: string;
  /** Where it is configured, for error messages: `listeners[0]`, or `port` for the defaults. */
  readonly configPath: string;
  readonly type: ListenerType;
  readonly host: string;
  readonly port: number;
  /** The HTTP path of ws and wss listeners. */
  readonly path: string | undefined;
  readonly tls: ListenerConfig['tls'];
  readonly proxyProtocol: boolean;
  readonly trustProxy: boolean;
  /** Whether clients without credentials may connect here. */
  readonly allowAnonymous: boolean;
  /** A default listener that may be skipped when the machine lacks its address family (IPv6 loopback). */
  readonly optional: boolean;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The listeners to open: the configured ones, or by default TCP on 127.0.0.1 and [::1] at
 * `port` (the IPv6 one is skipped when the machine has no IPv6 loopback). Anonymous access
 * defaults to allowed on loopback hosts while no authentication is configured, and must be
 * asked for everywhere else.
 */
export function resolveListeners(config: MqttkitConfig): ResolvedListener[] {
  const configured: readonly (ListenerConfig & { optional?: boolean })[] = config.listeners ?? [
    { type: 'tcp', host: '127.0.0.1', port: config.port, proxyProtocol: false, trustProxy: false },
    { type: 'tcp', host: '::1', port: config.port, proxyProtocol: false, trustProxy: false, optional: true },
  ];
  const authenticates = hasAuthentication(config);
  const names = new Set<string>();
  return configured.map((listener, index) => {
    const port = listener.port ?? defaultListenerPorts[listener.type];
    const webSocket = listener.type === 'ws' || listener.type === 'wss';
    const path = webSocket ? (listener.path ?? '/mqtt') : undefined;
    let name = listener.name ?? `${listener.type}://${formatHost(listener.host)}:${port}${path ?? ''}`;
    if (names.has(name)) name = `${name}#${index}`;
    names.add(name);
    return {
      name,
      configPath: config.listeners === undefined ? 'port' : `listeners[${index}]`,
      type: listener.type,
      host: listener.host,
      port,
      path,
      tls: listener.tls,
      proxyProtocol: listener.proxyProtocol,
      trustProxy: listener.trustProxy,
      allowAnonymous: listener.allowAnonymous ?? (!authenticates && isLoopbackHost(listener.host)),
      optional: listener.optional ?? false,
    };
  });
}
