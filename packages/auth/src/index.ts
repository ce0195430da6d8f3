export { allowAll } from './allow-all.js';
export { staticUsers } from './static-users.js';
export { hashPassword, verifyPassword } from './hash-password.js';
export { passwordFile } from './password-file.js';
export {
  AuthFileError,
  parsePasswordFile,
  formatPasswordFile,
  readPasswordFile,
  writePasswordFile,
} from './password-file-format.js';
export {
  MosquittoHashAlgorithm,
  hashMosquittoPassword,
  verifyMosquittoPassword,
  parseMosquittoHash,
  formatMosquittoHash,
} from './mosquitto-hash.js';
export { acl } from './acl.js';
export { AclAccess } from './acl-rule.js';
export { AclPolicy } from './acl-policy.js';
export { aclFile } from './acl-file.js';
export { parseAclFile, readAclFile } from './acl-file-format.js';
export { topicFilterCovers, topicFiltersOverlap } from './topic-filter-covers.js';
export { callbackAuth } from './callback-auth.js';
export { clientCertificateAuth } from './client-certificate-auth.js';
export { chain } from './chain.js';
export { explain } from './explain.js';
export { throttleFailures } from './throttle-failures.js';
export { constantTimeEqual } from './constant-time-equal.js';
export { jwtAuth } from './jwt-auth.js';
export { httpAuth } from './http-auth.js';
export { scramAuth, scramAuthenticationMethod } from './scram-auth.js';
export {
  deriveScramCredentials,
  formatScramCredentials,
  parseScramCredentials,
} from './scram-credentials.js';
export { createScramServerExchange } from './scram-server-exchange.js';
export { ScramServerError } from './scram-message.js';
export type { AllowAllOptions } from './allow-all.js';
export type { StaticUsersOptions } from './static-users.js';
export type { ScryptParameters } from './hash-password.js';
export type { PasswordTableOptions, UnknownUserAnswer } from './password-table.js';
export type { PasswordFileOptions, PasswordFileHook } from './password-file.js';
export type { MosquittoHash, MosquittoHashOptions } from './mosquitto-hash.js';
export type { AclOptions } from './acl.js';
export type { AclRule, AclRules } from './acl-rule.js';
export type { AclRequest } from './acl-policy.js';
export type { AclFileOptions, AclFileHook } from './acl-file.js';
export type { CallbackAuthOptions } from './callback-auth.js';
export type { ClientCertificateAuthOptions } from './client-certificate-auth.js';
export type { ChainOptions } from './chain.js';
export type { ExplainClient, ExplainRequest, Explanation } from './explain.js';
export type { ThrottleFailuresOptions } from './throttle-failures.js';
export type { JwtAuthOptions } from './jwt-auth.js';
export type { JwtKey, JwtHmacAlgorithm, JwtPublicKeyAlgorithm } from './jwt-key.js';
export type { JwtAclClaimNames, JwtClaimsAcl } from './jwt-claims-acl.js';
export type { HttpAuthOptions, HttpAuthAction } from './http-auth.js';
export type { ScramAuthOptions } from './scram-auth.js';
export type { ScramCredentials, DeriveScramCredentialsOptions } from './scram-credentials.js';
export type {
  ScramCredentialsLookup,
  ScramServerExchange,
  ScramServerExchangeOptions,
  ScramStep,
} from './scram-server-exchange.js';
