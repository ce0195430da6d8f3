import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** The running HTTP endpoint. */
export interface HttpEndpoint {
  readonly url: string;
  close(): Promise<void>;
}

export interface HttpEndpointOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  /** Whether the broker serves clients; `/healthz` answers 503 once it is shutting down. */
  readonly healthy: () => boolean;
}

/** Serves Prometheus `/metrics` and `/healthz` on their own port. */
export async function startHttpEndpoint(options: HttpEndpointOptions): Promise<HttpEndpoint> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        (error: unknown) =>
          response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
      );
    } else if (path === '/healthz') {
      const healthy = options.healthy();
      response
        .writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' })
        .end(healthy ? 'ok\n' : 'shutting down\n');
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'address already in use' : error.message;
      reject(new Error(`cannot listen on ${options.host}:${options.port}: ${reason}`, { cause: error }));
    });
    server.listen({ host: options.host, port: options.port }, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
