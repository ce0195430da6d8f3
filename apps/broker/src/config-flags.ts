import type { ParseArgsConfig } from 'node:util';
import type { ConfigSources } from './load-config.js';

/** The flags every command that reads the configuration accepts. */
export const configFlags = {
  config: { type: 'string', short: 'c' },
  set: { type: 'string', multiple: true },
  port: { type: 'string', short: 'p' },
  'log-level': { type: 'string' },
  'http-port': { type: 'string' },
  'data-dir': { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The values `parseArgs` gives for `configFlags`. */
export interface ConfigFlagValues {
  readonly config?: string;
  readonly set?: readonly string[];
  readonly port?: string;
  readonly 'log-level'?: string;
  readonly 'http-port'?: string;
  readonly 'data-dir'?: string;
}

/** Turns the flags into configuration sources; the shortcuts are `--set` assignments. */
export function toConfigSources(
  values: ConfigFlagValues,
  environment: Readonly<Record<string, string | undefined>>,
): ConfigSources {
  const assignments: NonNullable<ConfigSources['assignments']>[number][] = [...(values.set ?? [])];
  if (values.port !== undefined) assignments.push({ assignment: `port=${values.port}`, flag: '--port' });
  if (values['log-level'] !== undefined)
    assignments.push({ assignment: `log.level=${values['log-level']}`, flag: '--log-level' });
  if (values['http-port'] !== undefined)
    assignments.push({ assignment: `http.port=${values['http-port']}`, flag: '--http-port' });
  if (values['data-dir'] !== undefined)
    assignments.push({ assignment: `persistence.path=${values['data-dir']}`, flag: '--data-dir' });
  return { ...(values.config === undefined ? {} : { file: values.config }), environment, assignments };
}
