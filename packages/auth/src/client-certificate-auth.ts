import type { Hook } from '@mqttkit/contracts';
import { ReasonCode } from '@mqttkit/contracts';

/** Options of `clientCertificateAuth`. */
export interface ClientCertificateAuthOptions {
  /**
   * Allow clients with a verified certificate and take their user name from it, ignoring the
   * CONNECT user name and password (mosquitto's `use_identity_as_username`). Default `true`.
   * When `false`, a verified certificate only passes the client on (defer) to password hooks.
   */
  readonly useIdentityAsUsername?: boolean;
  /** Which part of the certificate becomes the user name. Default `common-name` (subject CN). */
  readonly identity?: 'common-name' | 'subject';
  /** Deny clients without a verified certificate instead of deferring. Default `false`. */
  readonly requireCertificate?: boolean;
  /** Hook name. Default `client-certificate`. */
  readonly name?: string;
}

/** Authenticates clients by the TLS client certificate of an mTLS listener. */
export function clientCertificateAuth(options: ClientCertificateAuthOptions = {}): Hook {
  const useIdentity = options.useIdentityAsUsername ?? true;
  const required = options.requireCertificate ?? false;
  return {
    name: options.name ?? 'client-certificate',
    authenticate({ client }) {
      const { certificate } = client;
      if (certificate === undefined || !certificate.authorized) {
        const reason =
          certificate === undefined ? 'no client certificate' : 'client certificate not verified';
        return required ? { deny: ReasonCode.NotAuthorized, reason } : { defer: true, reason };
      }
      if (!useIdentity)
        return { defer: true, reason: `certificate ${certificate.subject} verified; password hooks decide` };
      const identity = options.identity === 'subject' ? certificate.subject : certificate.subjectCommonName;
      if (identity === undefined || identity === '') {
        return { deny: ReasonCode.NotAuthorized, reason: 'client certificate has no subject common name' };
      }
      return { allow: true, username: identity, reason: `client certificate ${certificate.fingerprint256}` };
    },
  };
}
