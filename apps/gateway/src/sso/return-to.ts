/** The query of GET /admin/v1/auth/oidc/start lives with the route table (libs/contracts). */
export { DEFAULT_RETURN_TO, oidcStartQuery } from '@widget/contracts';
export type { OidcStartQuery } from '@widget/contracts';

/** Where the browser lands signed in: the operator token in the fragment, which never reaches a server or a log. */
export function signedInLocation(returnTo: string, login: { token: string; expiresAt: string }): string {
  const fragment = new URLSearchParams({ operator_token: login.token, expires_at: login.expiresAt });
  return `${returnTo}#${fragment.toString()}`;
}
