import type { Transport } from '@mqttkit/contracts';
import { SocketListener } from './socket-listener.js';
import type { ListenerOptions } from './socket-listener.js';

/** Options of a plain TCP listener. Default port 1883. */
export type TcpTransportOptions = ListenerOptions;

/**
 * A plain TCP listener (`mqtt://`) on 127.0.0.1:1883 unless told otherwise.
 *
 * ```ts
 * const transport = createTcpTransport({ port: 1883 });
 * await transport.listen((stream, info) => broker.handle(stream, info));
 * ```
 */
export function createTcpTransport(options: TcpTransportOptions = {}): Transport {
  return new SocketListener(options, { kind: 'tcp', scheme: 'mqtt', defaultPort: 1883 });
}
