import { parseArgs } from 'node:util';
import { explain } from '@mqttkit/auth';
import type { Logger } from '@mqttkit/contracts';
import { buildHooks } from './build-hooks.js';
import { CliError } from './cli-error.js';
import { configFlags, toConfigSources } from './config-flags.js';
import { loadConfig } from './load-config.js';
import { resolveListeners } from './resolve-listeners.js';

export const aclCheckUsage = `Usage: mqttkit acl check [options] (--publish <topic> | --subscribe <filter>)

Explains whether a client may publish to a topic or subscribe to a filter under the configured
authorization (auth.aclFile, JWT claims, HTTP, auth.defaultAccess), and which rule decided.
Exits 0 when allowed and 1 when denied.

  -u, --username <name>   the client's user name (omit for an anonymous client)
  -i, --client-id <id>    the client id (for %c in ACL patterns)
      --acl-file <file>   check this ACL file instead of auth.aclFile
      --publish <topic>   may the client publish to this topic?
      --subscribe <filter> may the client subscribe to this filter?
  plus the configuration options of mqttkit (--config, --set, ...)`;

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** `mqttkit acl check`: runs the configured authorization hooks through `explain` and prints the answer. */
export async function aclCheckCommand(argv: readonly string[]): Promise<boolean> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...configFlags,
      username: { type: 'string', short: 'u' },
      'client-id': { type: 'string', short: 'i' },
      'acl-file': { type: 'string' },
      publish: { type: 'string' },
      subscribe: { type: 'string' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(`${aclCheckUsage}\n`);
    return true;
  }
  if ((values.publish === undefined) === (values.subscribe === undefined)) {
    throw new CliError('acl check: give exactly one of --publish <topic> or --subscribe <filter>', {
      exitCode: 2,
    });
  }
  const sources = toConfigSources(values, process.env);
  const assignments = [
    ...(sources.assignments ?? []),
    ...(values['acl-file'] === undefined ? [] : [`auth.aclFile=${values['acl-file']}`]),
  ];
  const { config } = await loadConfig({ ...sources, assignments });
  const { hooks } = await buildHooks({
    config,
    listeners: resolveListeners(config),
    logger: silent,
    watch: false,
  });
  const client = {
    clientId: values['client-id'] ?? '',
    ...(values.username === undefined ? {} : { username: values.username }),
  };
  const answer =
    values.publish !== undefined
      ? await explain(hooks, { action: 'publish', client, topic: values.publish })
      : await explain(hooks, { action: 'subscribe', client, topicFilter: values.subscribe! });
  const who = values.username === undefined ? 'an anonymous client' : `user ${values.username}`;
  const what =
    values.publish !== undefined ? `publish to ${values.publish}` : `subscribe to ${values.subscribe!}`;
  const allowed = answer.outcome === 'allow';
  const code =
    answer.reasonCode === undefined || allowed
      ? ''
      : ` (reason code 0x${answer.reasonCode.toString(16).padStart(2, '0')})`;
  process.stdout.write(
    `${allowed ? 'allow' : 'deny'}: ${who} ${allowed ? 'may' : 'may not'} ${what}${code}\n`,
  );
  process.stdout.write(
    `decided by ${answer.decidedBy}${answer.reason === undefined ? '' : `: ${answer.reason}`}\n`,
  );
  for (const step of answer.trail.slice(0, -1)) {
    process.stdout.write(
      `  ${step.decidedBy} deferred${step.reason === undefined ? '' : `: ${step.reason}`}\n`,
    );
  }
  return allowed;
}
