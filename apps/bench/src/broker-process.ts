import { fork, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';
import type { ChildMessage } from './serve-child.js';

/** The brokers compared, in the order they run. */
export const brokerNames = ['mqttkit', 'aedes', 'mosquitto', 'node-net', 'node-forward', 'baseline'] as const;
export type BrokerName = (typeof brokerNames)[number];
/**
 * What runs without `--brokers`. `node-net` (a bare Node `net` server, Node's own floor; idle-memory
 * only), `node-forward` (a Node server that only forwards PUBLISH bytes: Node's latency floor;
 * latency only) and `baseline` (an mqttkit bundle from `--baseline`) run only when asked for.
 */
export const defaultBrokers: readonly BrokerName[] = ['mqttkit', 'aedes', 'mosquitto'];

export const mosquittoBinary = '/usr/sbin/mosquitto';

/** A broker running in a child process of its own, on a free loopback port. */
export interface BrokerProcess {
  readonly name: BrokerName;
  readonly port: number;
  readonly pid: number;
  /** Resident set size in bytes, from /proc. */
  residentBytes(): Promise<number>;
  /** User plus system CPU time in milliseconds, from /proc. */
  cpuMilliseconds(): Promise<number>;
  /** The broker's own counters (mqttkit only). */
  statistics(): Promise<Record<string, number> | undefined>;
  /** Runs a full garbage collection in a Node broker; resolves with its V8 heap (used and committed) and external bytes then. */
  collectGarbage(): Promise<{ heapUsed: number; heapTotal: number; external: number } | undefined>;
  stop(): Promise<void>;
}

/** The options of `startBrokerProcess`. */
export interface BrokerProcessOptions {
  /** Write a V8 CPU profile of the mqttkit child into this directory. */
  readonly profileDirectory?: string | undefined;
  /** The server script the `baseline` broker runs: a copy of `dist/serve-mqttkit.js` from an earlier build. */
  readonly baselineBundle?: string | undefined;
}

const packageDirectory = join(import.meta.dirname, '..');
const bundles = new Map<string, Promise<string>>();

/**
 * Bundles a server script to plain JavaScript the way the packages are built for npm (no tsx
 * loader in the measured process: its keep-names helpers and loader thread would cost CPU that a
 * real deployment does not pay). Workspace packages come from source, and so do their npm
 * dependencies; Aedes stays external.
 */
function bundleServer(name: 'mqttkit' | 'aedes' | 'node-net' | 'node-forward'): Promise<string> {
  let bundle = bundles.get(name);
  if (bundle === undefined) {
    const outfile = join(packageDirectory, 'dist', `serve-${name}.js`);
    bundle = build({
      entryPoints: [join(packageDirectory, 'src', `serve-${name}.ts`)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: true,
      conditions: ['@mqttkit/source'],
      external: ['aedes'],
      // Bundled CommonJS dependencies (proxy-protocol-js) call require() for Node built-ins.
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      logLevel: 'error',
    }).then(() => outfile);
    bundles.set(name, bundle);
  }
  return bundle;
}
const clockTicksPerSecond = 100;
const startTimeout = 30_000;

export async function startBrokerProcess(
  name: BrokerName,
  options: BrokerProcessOptions = {},
): Promise<BrokerProcess> {
  return name === 'mosquitto' ? startMosquitto() : startNodeBroker(name, options);
}

async function serverScript(
  name: Exclude<BrokerName, 'mosquitto'>,
  options: BrokerProcessOptions,
): Promise<string> {
  if (name !== 'baseline') return bundleServer(name);
  if (options.baselineBundle === undefined) throw new Error('the baseline broker needs --baseline <file>');
  return options.baselineBundle;
}

async function startNodeBroker(
  name: Exclude<BrokerName, 'mosquitto'>,
  options: BrokerProcessOptions,
): Promise<BrokerProcess> {
  const profile = name === 'mqttkit' && options.profileDirectory !== undefined;
  const child = fork(await serverScript(name, options), [], {
    cwd: packageDirectory,
    execArgv: [
      '--enable-source-maps',
      '--expose-gc',
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDirectory}`] : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const message = await nextMessage(child, 'listening');
  if (message.type !== 'listening') throw new Error(`${name} did not start`);
  return {
    ...procReaders(name, child.pid!),
    port: message.port,
    async statistics() {
      child.send('statistics');
      const reply = await nextMessage(child, 'statistics');
      return reply.type === 'statistics' ? reply.statistics : undefined;
    },
    async collectGarbage() {
      child.send('gc');
      const reply = await nextMessage(child, 'collected');
      return reply.type === 'collected'
        ? { heapUsed: reply.heapUsed, heapTotal: reply.heapTotal, external: reply.external }
        : undefined;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.disconnect();
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

function nextMessage(child: ChildProcess, type: ChildMessage['type']): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`no '${type}' from the broker child within ${startTimeout} ms`)),
      startTimeout,
    );
    const onMessage = (message: ChildMessage): void => {
      if (message.type === type) finish(undefined, message);
    };
    const onExit = (code: number | null): void => finish(new Error(`broker child exited (${code})`));
    function finish(error: Error | undefined, message?: ChildMessage): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message!);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

async function startMosquitto(): Promise<BrokerProcess> {
  const port = await freePort();
  const directory = await mkdtemp(join(tmpdir(), 'mqttkit-bench-'));
  const config = join(directory, 'mosquitto.conf');
  await writeFile(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'set_tcp_nodelay true',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'user root',
      '',
    ].join('\n'),
  );
  const child = spawn(mosquittoBinary, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Pass on what mosquitto logs except its warning about running as root (it drops to `user root`).
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    for (const line of text.split('\n'))
      if (line !== '' && !line.includes('should not be run as root')) console.error(line);
  });
  await waitForPort(port, child);
  return {
    ...procReaders('mosquitto', child.pid!),
    port,
    async statistics() {
      return undefined;
    },
    async collectGarbage() {
      return undefined;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function procReaders(
  name: BrokerName,
  pid: number,
): Pick<BrokerProcess, 'name' | 'pid' | 'residentBytes' | 'cpuMilliseconds'> {
  return {
    name,
    pid,
    async residentBytes() {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
      if (!match) throw new Error(`no VmRSS for ${name} (pid ${pid})`);
      return Number(match[1]) * 1024;
    },
    async cpuMilliseconds() {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + startTimeout;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with code ${child.exitCode}`);
    const socket = connect({ port, host: '127.0.0.1' });
    const outcome = await once(socket, 'connect').then(
      () => true,
      () => false,
    );
    socket.destroy();
    if (outcome) return;
    await sleep(50);
  }
  throw new Error(`mosquitto did not listen on ${port} within ${startTimeout} ms`);
}
