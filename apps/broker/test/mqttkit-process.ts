import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const packageDirectory = join(import.meta.dirname, '..');

/** One JSON log line of the running command. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** The `mqttkit` command running as a child process, from source through tsx. */
export interface MqttkitProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: LogLine[];
  stderr(): string;
  /** Resolves with the first log line (already seen or coming) that matches. */
  waitFor(predicate: (line: LogLine) => boolean): Promise<LogLine>;
  /** Resolves once the broker started, with the URLs it listens on. */
  started(): Promise<string[]>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startMqttkit(
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string } = {},
): MqttkitProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=@mqttkit/source', '--import', 'tsx', 'src/cli.ts', ...args],
    {
      cwd: packageDirectory,
      env: testEnvironment(options.env),
    },
  );
  if (options.input !== undefined) child.stdin.end(options.input);
  const lines: LogLine[] = [];
  const waiters: { predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    let newline: number;
    while ((newline = stdout.indexOf('\n')) !== -1) {
      const text = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as LogLine;
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (predicate: (line: LogLine) => boolean): Promise<LogLine> => {
    const seen = lines.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      waiters.push({ predicate, resolve });
      void exited.then(({ code }) =>
        reject(new Error(`mqttkit exited with ${String(code)} before the expected line: ${stderr}`)),
      );
    });
  };
  return {
    child,
    lines,
    stderr: () => stderr,
    waitFor,
    started: async () => (await waitFor((line) => line.msg === 'mqttkit started')).listening as string[],
    exited,
  };
}

/** Runs the command to completion and returns its exit code and output. */
export async function runMqttkit(
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@mqttkit/source', '--import', 'tsx', 'src/cli.ts', ...args],
    {
      cwd: packageDirectory,
      env: testEnvironment(options.env),
    },
  );
  child.stdin.end(options.input ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout, stderr };
}

/**
 * The child's environment: a fresh data directory for the durable store unless the test names
 * one, so no test writes into the repository.
 */
function testEnvironment(env: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    MQTTKIT_PERSISTENCE_PATH: mkdtempSync(join(tmpdir(), 'mqttkit-data-')),
    ...env,
  };
}

export function temporaryDirectory(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'mqttkit-app-'));
}

/** The port of a listening URL such as `mqtt://127.0.0.1:40123` or `ws://127.0.0.1:8080/mqtt`. */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** A port free on 127.0.0.1 right now, for programs that cannot be told to pick one (mosquitto). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
