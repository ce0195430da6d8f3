import { access } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { hashMosquittoPassword, readPasswordFile, writePasswordFile } from '@mqttkit/auth';
import { CliError } from './cli-error.js';
import { readConfiguredFile } from './read-configured-file.js';
import { readPassword } from './read-password.js';

export const passwdUsage = `Usage: mqttkit passwd [-c] [-b] <file> <username> [password]
       mqttkit passwd -D <file> <username>

Manages a mosquitto_passwd-compatible password file ($7$ PBKDF2-SHA512 hashes, mode 0600).

  -c             create the file, replacing an existing one
  -b             take the password from the command line (else prompted, or the first line of stdin)
  -D             delete the user
  -I <n>         PBKDF2 iterations (default 101, as mosquitto_passwd)`;

/** `mqttkit passwd`: adds, updates or deletes a user of a password file, like `mosquitto_passwd`. */
export async function passwdCommand(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      create: { type: 'boolean', short: 'c' },
      batch: { type: 'boolean', short: 'b' },
      delete: { type: 'boolean', short: 'D' },
      iterations: { type: 'string', short: 'I' },
      help: { type: 'boolean', short: 'h' },
      debug: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(`${passwdUsage}\n`);
    return;
  }
  const [file, username, batchPassword] = positionals;
  const expected = values.batch === true ? 3 : 2;
  if (file === undefined || username === undefined || positionals.length !== expected) {
    throw new CliError(
      `passwd: expected ${values.batch === true ? '<file> <username> <password>' : '<file> <username>'}; see mqttkit passwd --help`,
      {
        exitCode: 2,
      },
    );
  }
  if (values.create === true && values.delete === true)
    throw new CliError('passwd: -c and -D cannot be used together', { exitCode: 2 });
  if (username === '' || /[:\r\n]/.test(username))
    throw new CliError('passwd: a user name may not be empty or contain ":" or line breaks', { exitCode: 2 });
  const iterations = values.iterations === undefined ? undefined : Number(values.iterations);
  if (iterations !== undefined && (!Number.isInteger(iterations) || iterations < 1)) {
    throw new CliError('passwd: -I takes a positive whole number of iterations', { exitCode: 2 });
  }

  let users = new Map<string, string>();
  if (values.create !== true) {
    try {
      await access(file);
    } catch {
      throw new CliError(`passwd: ${file} does not exist; use -c to create it`);
    }
    users = await readConfiguredFile({
      what: 'password file',
      key: 'the file',
      path: file,
      read: readPasswordFile,
    });
  }
  if (values.delete === true) {
    if (!users.delete(username)) throw new CliError(`passwd: user ${username} is not in ${file}`);
    await writePasswordFile(file, users);
    process.stdout.write(`deleted user ${username} from ${file}\n`);
    return;
  }
  let password = batchPassword;
  if (password === undefined) {
    password = await readPassword('Password: ');
    if (process.stdin.isTTY && (await readPassword('Reenter password: ')) !== password) {
      throw new CliError('passwd: the passwords do not match');
    }
  }
  const existed = users.has(username);
  users.set(username, await hashMosquittoPassword(password, iterations === undefined ? {} : { iterations }));
  await writePasswordFile(file, users);
  process.stdout.write(`${existed ? 'updated' : 'added'} user ${username} in ${file}\n`);
}
