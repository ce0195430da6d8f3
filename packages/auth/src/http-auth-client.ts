import type { HttpAnswer } from './http-answer-cache.js';

/** What one call to the endpoint gave: an answer, or why there is none (the caller fails closed). */
export type HttpAuthOutcome =
  { readonly ok: true; readonly answer: HttpAnswer } | { readonly ok: false; readonly error: string };

/** Options of {@link createHttpAuthClient}. */
export interface HttpAuthClientOptions {
  readonly url: string | URL;
  /** Milliseconds before a request is abandoned. */
  readonly timeout: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Largest response body read, in bytes. */
  readonly maxResponseBytes: number;
}

export interface HttpAuthClient {
  /** POSTs `body` as JSON; `signal` aborts it early (for example when the hook closes). */
  post(body: Readonly<Record<string, unknown>>, signal: AbortSignal): Promise<HttpAuthOutcome>;
}

const answers: ReadonlySet<string> = new Set<HttpAnswer>(['allow', 'deny', 'ignore']);

function failed(error: string): HttpAuthOutcome {
  return { ok: false, error };
}

async function readBounded(response: Response, limit: number): Promise<string | undefined> {
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of response.body) {
    length += chunk.byteLength;
    // Leaving the loop early cancels the stream, which releases the connection.
    if (length > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'timed out';
    if (error.name === 'AbortError') return 'aborted';
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

/**
 * Posts requests to an auth webhook with Node's `fetch` and reads its answer: HTTP 200 with a JSON
 * body `{ "result": "allow" | "deny" | "ignore" }` (the EMQX convention). Any other status, body,
 * a network error or the timeout is reported as a failure, never as an answer.
 */
export function createHttpAuthClient(options: HttpAuthClientOptions): HttpAuthClient {
  return {
    async post(body, signal) {
      try {
        const response = await fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
          body: JSON.stringify(body),
          signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeout)]),
          redirect: 'error',
        });
        if (response.status !== 200) {
          await response.body?.cancel();
          return failed(`HTTP status ${response.status}`);
        }
        const text = await readBounded(response, options.maxResponseBytes);
        if (text === undefined) return failed(`response larger than ${options.maxResponseBytes} bytes`);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return failed('response is not JSON');
        }
        const result =
          typeof parsed === 'object' && parsed !== null ? (parsed as { result?: unknown }).result : undefined;
        if (typeof result !== 'string' || !answers.has(result))
          return failed('response has no valid "result"');
        return { ok: true, answer: result as HttpAnswer };
      } catch (error) {
        return failed(describe(error));
      }
    },
  };
}
