import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A line of a password or ACL file that could not be read. */
export class AuthFileError extends Error {
  /** The file (or source label) and 1-based line number. */
  readonly location: string;

  constructor(location: string, message: string) {
    super(`${location}: ${message}`);
    this.name = 'AuthFileError';
    this.location = location;
  }
}

/**
 * Parses a `mosquitto_passwd` file: one `username:hash` per line, blank lines and `#` comments
 * ignored, CRLF accepted. Throws `AuthFileError` for a line without `:` or a repeated user.
 * The hashes are returned as written; the password-file provider checks their format.
 */
export function parsePasswordFile(text: string, source = 'password file'): Map<string, string> {
  const users = new Map<string, string>();
  const lines = text.split('\n');
  for (const [index, rawLine] of lines.entries()) {
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new AuthFileError(`${source}:${index + 1}`, 'expected "username:hash"');
    const username = line.slice(0, colon);
    if (users.has(username))
      throw new AuthFileError(`${source}:${index + 1}`, `user "${username}" appears twice`);
    users.set(username, line.slice(colon + 1));
  }
  return users;
}

/** Formats user name → hash as a `mosquitto_passwd` file. Throws for a user name with `:` or a line break. */
export function formatPasswordFile(users: Iterable<readonly [string, string]>): string {
  let text = '';
  for (const [username, hash] of users) {
    if (username.length === 0 || /[:\r\n]/.test(username) || /[\r\n]/.test(hash)) {
      throw new TypeError(`user name ${JSON.stringify(username)} cannot be written to a password file`);
    }
    text += `${username}:${hash}\n`;
  }
  return text;
}

/** Reads and parses a `mosquitto_passwd` file. */
export async function readPasswordFile(path: string): Promise<Map<string, string>> {
  return parsePasswordFile(await readFile(path, 'utf8'), path);
}

/**
 * Writes user name → hash as a `mosquitto_passwd` file, atomically (a temporary file in the
 * same directory renamed over the target) and readable by its owner only.
 */
export async function writePasswordFile(
  path: string,
  users: Iterable<readonly [string, string]>,
): Promise<void> {
  const text = formatPasswordFile(users);
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { mode: 0o600 });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
