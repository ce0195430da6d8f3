import type { Hook } from '@mqttkit/contracts';
import { PasswordTable } from './password-table.js';
import type { PasswordTableOptions } from './password-table.js';

/** Options of `staticUsers`. */
export interface StaticUsersOptions extends PasswordTableOptions {
  /** User name → password hash from `hashPassword` (`$scrypt$...`) or `mosquitto_passwd` (`$6$`, `$7$`). */
  readonly users: Readonly<Record<string, string>>;
  /** Accept plain-text passwords in `users` (compared in constant time). Default `false`: they throw. */
  readonly allowPlaintext?: boolean;
  /** Hook name. Default `static-users`. */
  readonly name?: string;
}

/**
 * Authenticates clients against a fixed table of users and password hashes. Unknown users cost
 * one hash computation too and get the same 0x86 as a wrong password.
 */
export function staticUsers(options: StaticUsersOptions): Hook {
  const name = options.name ?? 'static-users';
  const table = PasswordTable.from(Object.entries(options.users), {
    allowPlaintext: options.allowPlaintext ?? false,
    source: name,
  });
  return {
    name,
    authenticate: (context) => table.authenticate(context, options),
  };
}
