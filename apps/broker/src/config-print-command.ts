import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { defaultBrokerCapabilities } from '@mqttkit/broker';
import { configFlags, toConfigSources } from './config-flags.js';
import type { MqttkitConfig } from './config-schema.js';
import { loadConfig } from './load-config.js';
import { resolveListeners } from './resolve-listeners.js';

export const configPrintUsage = `Usage: mqttkit config print [options] [--json]

Prints the configuration in force (file < MQTTKIT_* variables < flags < defaults filled in),
with secrets hidden. Takes the same options as mqttkit itself.`;

const hidden = '<hidden>';

/** The configuration as the broker would use it: defaults filled in, listeners resolved, secrets hidden. */
export function effectiveConfig(config: MqttkitConfig): Record<string, unknown> {
  const { sysInterval: _sysInterval, ...capabilityDefaults } = defaultBrokerCapabilities;
  const { port, ...rest } = config;
  const jwt = config.auth.jwt;
  const http = config.auth.http;
  return {
    port,
    listeners: resolveListeners(config).map(
      ({ configPath: _path, optional: _optional, ...listener }) => listener,
    ),
    ...rest,
    auth: {
      ...config.auth,
      ...(jwt === undefined
        ? {}
        : { jwt: { ...jwt, ...(jwt.secret === undefined ? {} : { secret: hidden }) } }),
      ...(http?.headers === undefined
        ? {}
        : {
            http: {
              ...http,
              headers: Object.fromEntries(Object.keys(http.headers).map((name) => [name, hidden])),
            },
          }),
    },
    capabilities: { ...capabilityDefaults, ...config.capabilities },
  };
}

/** `mqttkit config print`: the effective configuration as YAML, or JSON with `--json`. */
export async function configPrintCommand(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: { ...configFlags, json: { type: 'boolean' } },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(`${configPrintUsage}\n`);
    return;
  }
  const { config, file } = await loadConfig(toConfigSources(values, process.env));
  const effective = effectiveConfig(config);
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(effective, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `# mqttkit configuration${file === undefined ? ' (no file: defaults, variables and flags)' : ` from ${file}`}\n`,
  );
  process.stdout.write(stringify(effective));
}
