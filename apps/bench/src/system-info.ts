import { execFileSync } from 'node:child_process';
import { cpus, loadavg, platform, release } from 'node:os';
import { mosquittoBinary } from './broker-process.js';

function mosquittoVersion(): string {
  try {
    const output = execFileSync(mosquittoBinary, ['-h'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return /mosquitto version (\S+)/.exec(output)?.[1] ?? 'unknown';
  } catch (error) {
    const output = String((error as { stdout?: unknown }).stdout ?? '');
    return /mosquitto version (\S+)/.exec(output)?.[1] ?? 'unknown';
  }
}

/** Load averages over 1, 5 and 15 minutes, as `uptime` shows them. */
export function loadAverage(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

/** The lines that go with every result: what ran where. */
export function systemInfo(versions: { aedes: string }): string[] {
  const processors = cpus();
  return [
    `node ${process.version}, ${platform()} ${release()}`,
    `cpu: ${processors[0]?.model ?? 'unknown'} × ${processors.length} cores`,
    `brokers: mqttkit (workspace source), aedes ${versions.aedes}, mosquitto ${mosquittoVersion()}`,
  ];
}
