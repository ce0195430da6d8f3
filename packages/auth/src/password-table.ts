import type { AuthenticateContext, AuthenticationDecision } from '@mqttkit/contracts';
import { ReasonCode } from '@mqttkit/contracts';
import { parseStoredPassword } from './stored-password.js';
import type { StoredPassword } from './stored-password.js';

/** What a password provider does with a user it does not know. */
export type UnknownUserAnswer = 'deny' | 'defer';

/** Options shared by the password providers. */
export interface PasswordTableOptions {
  /** `deny` (default): 0x86, indistinguishable from a wrong password. `defer`: let a later hook decide. */
  readonly unknownUser?: UnknownUserAnswer;
  /** Roles per user name, set on the client when it authenticates. */
  readonly roles?: Readonly<Record<string, readonly string[]>>;
}

const emptyPassword = new Uint8Array(0);

/** User names mapped to stored passwords, answering `authenticate` for plain user name/password. */
export class PasswordTable {
  readonly #users: ReadonlyMap<string, StoredPassword>;
  readonly #dummy: StoredPassword;

  private constructor(users: ReadonlyMap<string, StoredPassword>, dummy: StoredPassword) {
    this.#users = users;
    this.#dummy = dummy;
  }

  /**
   * Builds a table from user name → stored password. Throws a `TypeError` naming the first user
   * whose password is in no supported format (or is plain text while that is not allowed).
   */
  static from(
    entries: Iterable<readonly [string, string]>,
    options: { allowPlaintext: boolean; source: string },
  ): PasswordTable {
    const users = new Map<string, StoredPassword>();
    for (const [username, encoded] of entries) {
      const stored = parseStoredPassword(encoded, options.allowPlaintext);
      if (stored === undefined) {
        const plaintextHint = encoded.startsWith('$')
          ? ''
          : ' (plain-text passwords need allowPlaintext: true)';
        throw new TypeError(
          `${options.source}: the password of user "${username}" is not a supported hash${plaintextHint}`,
        );
      }
      users.set(username, stored);
    }
    // Unknown users are checked against a hash shaped like the first user's, so they cost the same.
    const first = users.values().next();
    const dummy =
      first.done === true
        ? parseStoredPassword('$7$101$AAAAAAAAAAAAAAAA$' + 'A'.repeat(86) + '==', false)!
        : first.value.dummy();
    return new PasswordTable(users, dummy);
  }

  /** Number of users. */
  get size(): number {
    return this.#users.size;
  }

  /** Answers `authenticate` for the user name and password of the context. */
  async authenticate(
    context: AuthenticateContext,
    options: PasswordTableOptions,
  ): Promise<AuthenticationDecision> {
    const { username } = context.client;
    if (context.authenticationMethod !== undefined) {
      return {
        defer: true,
        reason: `authentication method "${context.authenticationMethod}" is not a password`,
      };
    }
    if (username === undefined) return { defer: true, reason: 'no user name' };
    const password = context.password ?? emptyPassword;
    const stored = this.#users.get(username);
    if (stored === undefined) {
      if (options.unknownUser === 'defer') return { defer: true, reason: `unknown user "${username}"` };
      await this.#dummy.verify(password);
      return { deny: ReasonCode.BadUserNameOrPassword, reason: `unknown user "${username}"` };
    }
    if (!(await stored.verify(password))) {
      return { deny: ReasonCode.BadUserNameOrPassword, reason: `wrong password for user "${username}"` };
    }
    const roles =
      options.roles !== undefined && Object.hasOwn(options.roles, username)
        ? options.roles[username]
        : undefined;
    return {
      allow: true,
      reason: `password of user "${username}" verified (${stored.format})`,
      ...(roles === undefined ? {} : { roles }),
    };
  }
}
