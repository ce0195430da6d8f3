import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { environmentVariables } from './environment-variables.js';
import { loadConfig } from './load-config.js';

async function file(name: string, text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'mqttkit-config-')), name);
  await writeFile(path, text);
  return path;
}

describe('loadConfig', () => {
  it('fills in the defaults when nothing is configured', async () => {
    const { config, file: source } = await loadConfig();
    expect(source).toBeUndefined();
    expect(config).toMatchObject({
      port: 1883,
      log: { level: 'info', format: 'auto' },
      sys: { interval: 10 },
      shutdownTimeout: 10_000,
    });
    expect(config.listeners).toBeUndefined();
    expect(config.http.port).toBeUndefined();
  });

  it('names the line of a bad value in a JSON file', async () => {
    const path = await file('mqttkit.json', '{\n  "log": {\n    "level": "loud"\n  }\n}\n');
    await expect(loadConfig({ file: path })).rejects.toThrow(`${path}:3: log.level: Invalid option`);
  });

  it('names the line of a YAML syntax error', async () => {
    const path = await file('mqttkit.yaml', 'log:\n  level: info\n level: debug\n');
    await expect(loadConfig({ file: path })).rejects.toThrow(new RegExp(`^${path}:3: `));
  });

  it('changes one key of a listener from a flag and keeps the rest', async () => {
    const path = await file('mqttkit.yaml', 'listeners:\n  - type: ws\n    port: 8080\n    path: /ws\n');
    const { config } = await loadConfig({ file: path, assignments: ['listeners.0.port=0'] });
    expect(config.listeners).toEqual([expect.objectContaining({ type: 'ws', port: 0, path: '/ws' })]);
  });

  it('validates capabilities with the broker ranges', async () => {
    await expect(loadConfig({ assignments: ['capabilities.maximumQoS=3'] })).rejects.toThrow(
      '--set capabilities.maximumQoS: must be 0, 1 or 2, got 3',
    );
  });

  it('rejects unknown MQTTKIT_ variables with a CliError', async () => {
    await expect(loadConfig({ environment: { MQTTKIT_LOG_LEVL: 'debug' } })).rejects.toBeInstanceOf(CliError);
  });
});

describe('environmentVariables', () => {
  it('maps each configuration key to an MQTTKIT_ name', () => {
    expect(environmentVariables.get('MQTTKIT_LOG_LEVEL')).toEqual(['log', 'level']);
    expect(environmentVariables.get('MQTTKIT_CAPABILITIES_MAXIMUM_CONNECTIONS')).toEqual([
      'capabilities',
      'maximumConnections',
    ]);
    expect(environmentVariables.get('MQTTKIT_AUTH_JWT_SECRET')).toEqual(['auth', 'jwt', 'secret']);
    expect(environmentVariables.get('MQTTKIT_LISTENERS')).toEqual(['listeners']);
  });
});
