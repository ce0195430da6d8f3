import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the test endpoint answers one request. */
export type EndpointHandler = (body: Record<string, unknown>, response: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 that records every request body it receives. */
export interface TestEndpoint {
  readonly url: string;
  readonly requests: Record<string, unknown>[];
  handler: EndpointHandler;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function answer(response: ServerResponse, result: string): void {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result }));
}

export async function startTestEndpoint(handler: EndpointHandler): Promise<TestEndpoint> {
  const requests: Record<string, unknown>[] = [];
  const endpoint: TestEndpoint = {
    url: '',
    requests,
    handler,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((request, response) => {
    readBody(request)
      .then((text) => {
        const body = JSON.parse(text) as Record<string, unknown>;
        requests.push(body);
        endpoint.handler(body, response);
      })
      .catch(() => response.writeHead(400).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(endpoint, { url: `http://127.0.0.1:${port}/auth` });
}

/** A URL on which nothing listens: a port that was just bound and released. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/auth`;
}
