import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parse as parseYaml, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { z } from 'zod';
import { CliError } from './cli-error.js';
import { configSchema } from './config-schema.js';
import type { MqttkitConfig } from './config-schema.js';
import { commandVariables, environmentVariables } from './environment-variables.js';

/** Where the configuration comes from; later sources win: file < environment < flags. */
export interface ConfigSources {
  /** The configuration file (YAML or JSON); default: `MQTTKIT_CONFIG` from `environment`, else none. */
  readonly file?: string;
  /** The environment; only `MQTTKIT_*` variables are read. */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /**
   * `path=value` assignments from `--set`, e.g. `log.level=debug` or `listeners.0.port=1884`; an
   * object form names the flag that made it (`--port`) for error messages.
   */
  readonly assignments?: readonly (string | { readonly assignment: string; readonly flag: string })[];
}

/** The validated configuration and the file it was read from. */
export interface LoadedConfig {
  readonly config: MqttkitConfig;
  readonly file: string | undefined;
}

type Path = readonly (string | number)[];

interface Origin {
  readonly path: Path;
  readonly label: string;
}

function formatPath(path: Path): string {
  let text = '';
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : text === '' ? key : `.${key}`;
  return text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function assign(target: Record<string, unknown>, path: Path, value: unknown): void {
  let current: Record<string | number, unknown> = target;
  for (const [index, key] of path.entries()) {
    if (index === path.length - 1) {
      current[key] = value;
      return;
    }
    const next = current[key];
    if (typeof next === 'object' && next !== null) {
      current = next as Record<string | number, unknown>;
    } else {
      const created = typeof path[index + 1] === 'number' ? [] : {};
      current[key] = created;
      current = created as Record<string | number, unknown>;
    }
  }
}

/** Environment and flag values are YAML scalars or flow collections: `5`, `true`, `debug`, `[a, b]`. */
function parseValue(text: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch {
    return text;
  }
}

interface ParsedFile {
  readonly path: string;
  readonly value: Record<string, unknown>;
  readonly document: Document;
  readonly lines: LineCounter;
}

async function readConfigFile(file: string): Promise<ParsedFile> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new CliError(
      `cannot read configuration file ${path}: ${reason}; check --config or MQTTKIT_CONFIG`,
      { cause: error },
    );
  }
  const lines = new LineCounter();
  // JSON is YAML too, so one parser gives line numbers for both formats.
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problem = document.errors[0];
  if (problem !== undefined) {
    const { line } = lines.linePos(problem.pos[0]);
    throw new CliError(`${path}:${line}: ${problem.message.split('\n')[0]}`);
  }
  const value = document.toJS() as unknown;
  if (value !== null && value !== undefined && !isPlainObject(value)) {
    throw new CliError(
      `${path}:1: the configuration must be a mapping of keys (e.g. "log:" and "listeners:")`,
    );
  }
  return { path, value: value ?? {}, document, lines };
}

/** The line of the deepest node of `path` present in the file; for an unknown key, the key's own line. */
function lineOf(file: ParsedFile, path: Path): number | undefined {
  let node: unknown = file.document.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
      if (pair === undefined) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key];
      if (item === undefined) break;
      offset = (item as Node).range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : file.lines.linePos(offset).line;
}

function startsWith(path: Path, prefix: Path): boolean {
  return prefix.length <= path.length && prefix.every((key, index) => String(path[index]) === String(key));
}

function describeIssue(
  issue: z.core.$ZodIssue,
  origins: readonly Origin[],
  file: ParsedFile | undefined,
): string {
  const path = (issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path) as Path;
  const where = formatPath(path);
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown key${issue.keys.length > 1 ? `s ${issue.keys.join(', ')}` : ''}; see "mqttkit config print" for the known keys`
      : issue.message;
  const origin = origins.find(
    (candidate) => startsWith(path, candidate.path) || startsWith(candidate.path, path),
  );
  if (origin !== undefined) {
    return formatPath(origin.path) === where
      ? `${origin.label}: ${message}`
      : `${origin.label}: ${where || 'configuration'}: ${message}`;
  }
  if (file !== undefined) {
    const line = lineOf(file, path);
    return `${file.path}${line === undefined ? '' : `:${line}`}: ${where || 'configuration'}: ${message}`;
  }
  return `${where || 'configuration'}: ${message}`;
}

/**
 * Reads the configuration file (YAML or JSON), applies `MQTTKIT_*` variables and `--set`
 * assignments over it, and validates the result. Every problem becomes a `CliError` naming the
 * key and where it was set: `file:line`, the variable or the flag.
 */
export async function loadConfig(sources: ConfigSources = {}): Promise<LoadedConfig> {
  const environment = sources.environment ?? {};
  const fileName = sources.file ?? environment.MQTTKIT_CONFIG;
  const file = fileName === undefined || fileName === '' ? undefined : await readConfigFile(fileName);
  // Variables and flags set single keys of what the file gave: `--set listeners.0.port=1884`
  // changes one listener's port and keeps the rest of it.
  const merged = structuredClone(file?.value ?? {});
  // Checked from the last applied to the first, so the source that won names the problem.
  const origins: Origin[] = [];

  for (const [name, value] of Object.entries(environment)) {
    if (
      !name.startsWith('MQTTKIT_') ||
      value === undefined ||
      (commandVariables as readonly string[]).includes(name)
    )
      continue;
    const path = environmentVariables.get(name);
    if (path === undefined) {
      throw new CliError(
        `unknown environment variable ${name}; the known ones are listed in the README's configuration reference`,
      );
    }
    assign(merged, path, parseValue(value));
    origins.unshift({ path, label: `environment variable ${name}` });
  }
  for (const entry of sources.assignments ?? []) {
    const assignment = typeof entry === 'string' ? entry : entry.assignment;
    const equals = assignment.indexOf('=');
    if (equals <= 0)
      throw new CliError(`--set ${assignment}: expected path=value, e.g. --set log.level=debug`);
    const path = assignment
      .slice(0, equals)
      .split('.')
      .map((key) => (/^\d+$/.test(key) ? Number(key) : key));
    assign(merged, path, parseValue(assignment.slice(equals + 1)));
    origins.unshift({
      path,
      label: typeof entry === 'string' ? `--set ${assignment.slice(0, equals)}` : entry.flag,
    });
  }

  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const [first, ...rest] = result.error.issues;
    const more = rest.length === 0 ? '' : ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})`;
    throw new CliError(`configuration error: ${describeIssue(first!, origins, file)}${more}`, {
      exitCode: 2,
    });
  }
  return { config: result.data, file: file?.path };
}
