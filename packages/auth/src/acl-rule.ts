/** What an ACL rule grants on the topics its filter matches; `deny` takes away all access. */
export const AclAccess = { read: 'read', write: 'write', readwrite: 'readwrite', deny: 'deny' } as const;
export type AclAccess = (typeof AclAccess)[keyof typeof AclAccess];

/** One ACL rule: an access level on a topic filter. */
export interface AclRule {
  /** `read` (subscribe), `write` (publish), `readwrite`, or `deny` (neither, overriding grants). */
  readonly access: AclAccess;
  /** A topic filter; `%u` and `%c` stand for the user name and client id when `substitute` is on. */
  readonly filter: string;
  /** Replace `%u` and `%c` in `filter`. Default `true` (mosquitto's `pattern`; its `topic` lines use `false`). */
  readonly substitute?: boolean;
  /** Where the rule came from, for explanations, e.g. `acl.conf:12`. Default: its place in the options. */
  readonly source?: string;
}

/** The rule sets of an ACL. A client is governed by every set that applies to it. */
export interface AclRules {
  /** Rules for every client. */
  readonly everyone?: readonly AclRule[];
  /** Rules for clients without a user name. */
  readonly anonymous?: readonly AclRule[];
  /** Rules per user name. */
  readonly users?: Readonly<Record<string, readonly AclRule[]>>;
  /** Rules per role; a client has the roles its authentication set plus those in `userRoles`. */
  readonly roles?: Readonly<Record<string, readonly AclRule[]>>;
  /** Extra roles per user name, for authentication providers that set none. */
  readonly userRoles?: Readonly<Record<string, readonly string[]>>;
}
