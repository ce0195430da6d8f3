import type { ProtocolVersion } from '@mqttkit/codec';

/** How a client reached the broker. */
export const TransportKind = {
  /** Plain TCP. */
  tcp: 'tcp',
  /** TCP with TLS (with or without client certificates). */
  tls: 'tls',
  /** WebSocket over plain HTTP. */
  ws: 'ws',
  /** WebSocket over HTTPS. */
  wss: 'wss',
} as const;
export type TransportKind = (typeof TransportKind)[keyof typeof TransportKind];

/** The TLS certificate a client presented on a listener that requests one (mTLS). */
export interface ClientCertificate {
  /** The subject's Common Name (CN), when the subject has one. */
  readonly subjectCommonName?: string;
  /** The whole subject as `key=value` pairs joined by commas, e.g. `CN=alice,O=Example`. */
  readonly subject: string;
  /** SHA-256 fingerprint as uppercase hex pairs joined by colons, as Node's `fingerprint256`. */
  readonly fingerprint256: string;
  /** The DER encoding of the certificate. */
  readonly raw: Uint8Array;
  /** Whether the TLS layer verified the certificate against the listener's trusted CAs. */
  readonly authorized: boolean;
}

/**
 * What the broker knows about a connected (or connecting) client. Hooks receive it in every
 * context; it is immutable for them: a hook changes the identity only through its
 * authentication decision (`username`, `roles`, `attributes`).
 */
export interface ClientInfo {
  /** The client identifier, after the broker assigned one to an empty CONNECT client id. */
  readonly clientId: string;
  /**
   * The user name: from CONNECT while authenticating, afterwards as the winning authentication
   * decision set it (for example the certificate CN). Absent for anonymous clients.
   */
  readonly username?: string;
  /** Roles granted by the winning authentication decision, used by role-based ACL rules. */
  readonly roles: readonly string[];
  /**
   * Data attached by the winning authentication decision (for example verified JWT claims),
   * keyed by the provider that attached it.
   */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** 3 = MQTT 3.1, 4 = MQTT 3.1.1, 5 = MQTT 5.0. */
  readonly protocolVersion: ProtocolVersion;
  /** The peer's IP address as the socket reports it (IPv6 addresses unbracketed). */
  readonly remoteAddress: string;
  /** The peer's TCP port. */
  readonly remotePort: number;
  /** The transport the connection came in on. */
  readonly transport: TransportKind;
  /** The name of the listener that accepted the connection. */
  readonly listener: string;
  /** The client's TLS certificate when the listener requested one and the client sent it. */
  readonly certificate?: ClientCertificate;
}
