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
