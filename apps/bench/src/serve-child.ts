import { once } from 'node:events';
import type { AddressInfo, Server, Socket } from 'node:net';

/** Messages between the benchmark and a broker child process. */
export type ChildMessage =
  | { type: 'listening'; port: number }
  | { type: 'collected'; heapUsed: number; heapTotal: number; external: number }
  | { type: 'statistics'; statistics: Record<string, number> | undefined };

/**
 * Tells the parent the port, collects garbage on request (for the memory scenario, when started
 * with --expose-gc), reports the broker's own counters where it has them, and closes the broker
 * when the parent disconnects.
 */
export function serveChild(options: {
  port: number;
  close: () => Promise<void>;
  statistics?: () => Record<string, number>;
}): void {
  const { port, close } = options;
  const send = (message: ChildMessage): void => {
    process.send?.(message);
  };
  process.on('message', (message: unknown) => {
    if (message === 'gc') {
      globalThis.gc?.();
      const { heapUsed, heapTotal, external } = process.memoryUsage();
      send({ type: 'collected', heapUsed, heapTotal, external });
    } else if (message === 'statistics') {
      send({ type: 'statistics', statistics: options.statistics?.() });
    }
  });
  process.on('disconnect', () => {
    void close().finally(() => process.exit(0));
  });
  send({ type: 'listening', port });
}

/**
 * Serves a bare `net` server (the Node floors) as a broker child: listens on a free loopback port
 * and, when the parent disconnects, destroys the sockets it keeps and closes.
 */
export async function serveNetServer(server: Server, sockets: Set<Socket>): Promise<void> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  serveChild({
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  });
}
