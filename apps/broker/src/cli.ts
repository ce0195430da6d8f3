import { aclCheckCommand, aclCheckUsage } from './acl-check-command.js';
import { CliError } from './cli-error.js';
import { configPrintCommand, configPrintUsage } from './config-print-command.js';
import { packageVersion } from './package-version.js';
import { passwdCommand } from './passwd-command.js';
import { runCommand } from './run-command.js';

async function main(argv: readonly string[]): Promise<number | undefined> {
  const [first, second] = argv;
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (first === 'config') {
    if (second !== 'print')
      throw new CliError(`unknown command "config ${second ?? ''}"\n${configPrintUsage}`, { exitCode: 2 });
    await configPrintCommand(argv.slice(2));
    return 0;
  }
  if (first === 'acl') {
    if (second !== 'check')
      throw new CliError(`unknown command "acl ${second ?? ''}"\n${aclCheckUsage}`, { exitCode: 2 });
    return (await aclCheckCommand(argv.slice(2))) ? 0 : 1;
  }
  if (first === 'passwd') {
    await passwdCommand(argv.slice(1));
    return 0;
  }
  if (first !== undefined && !first.startsWith('-')) {
    throw new CliError(
      `unknown command "${first}"; the commands are config print, passwd and acl check (mqttkit --help)`,
      { exitCode: 2 },
    );
  }
  await runCommand(argv);
  // The server keeps running until a signal; the exit code is set there.
  return undefined;
}

// `mqttkit config print | head` closes the pipe early; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const argv = process.argv.slice(2);
const debug = argv.includes('--debug') || process.env.MQTTKIT_DEBUG === '1';
main(argv).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    // One line a user can act on; the stack only when asked for.
    const isUsage =
      error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `mqttkit: ${message}${error instanceof CliError || isUsage ? '' : ' (run with --debug for details)'}\n`,
    );
    if (debug && error instanceof Error) {
      const cause = error.cause instanceof Error ? error.cause : undefined;
      process.stderr.write(
        `${error.stack ?? ''}\n${cause?.stack === undefined ? '' : `caused by ${cause.stack}\n`}`,
      );
    }
    process.exit(error instanceof CliError ? error.exitCode : isUsage ? 2 : 1);
  },
);
