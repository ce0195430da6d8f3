import { z } from 'zod';
import { configSchema } from './config-schema.js';

/** Variables the command reads that are not configuration keys. */
export const commandVariables = ['MQTTKIT_CONFIG', 'MQTTKIT_DEBUG'] as const;

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const inner = (current.def as { innerType?: z.ZodType }).innerType;
    if (inner === undefined) return current;
    current = inner;
  }
}

function toEnvironmentName(path: readonly string[]): string {
  return `MQTTKIT_${path.map((key) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_')}`;
}

function collect(schema: z.ZodType, path: readonly string[], names: Map<string, readonly string[]>): void {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) {
    for (const [key, child] of Object.entries(inner.shape as Record<string, z.ZodType>))
      collect(child, [...path, key], names);
    return;
  }
  names.set(toEnvironmentName(path), path);
}

/**
 * Every `MQTTKIT_*` variable and the configuration path it sets, derived from the schema:
 * `log.level` is `MQTTKIT_LOG_LEVEL`, `capabilities.maximumConnections` is
 * `MQTTKIT_CAPABILITIES_MAXIMUM_CONNECTIONS`; lists and maps (`listeners`) take YAML or JSON.
 */
export const environmentVariables: ReadonlyMap<string, readonly string[]> = (() => {
  const names = new Map<string, readonly string[]>();
  collect(configSchema, [], names);
  return names;
})();
