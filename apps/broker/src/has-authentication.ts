/** Whether the configuration names a way to authenticate clients (password file, JWT or HTTP). */
export function hasAuthentication(config: {
  readonly auth: { readonly passwordFile?: string; readonly jwt?: unknown; readonly http?: unknown };
}): boolean {
  return (
    config.auth.passwordFile !== undefined || config.auth.jwt !== undefined || config.auth.http !== undefined
  );
}
