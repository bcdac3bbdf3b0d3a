import { z } from 'zod';

export const DEFAULT_RETURN_TO = '/inbox/';

/**
 * A path on this origin and nothing else: one leading `/` not followed by
 * another `/` or a `\` (browsers read both as another host), and no
 * whitespace or control character (browsers drop tabs and newlines, so
 * `/\t/evil.example` would become `//evil.example`). No `#`: the sign-in
 * answer is the fragment.
 */
const SAME_ORIGIN_PATH = /^\/(?![/\\])[^\s\x00-\x1f\x7f#]*$/;

export const oidcStartQuery = z.object({
  returnTo: z
    .string()
    .max(500)
    .regex(SAME_ORIGIN_PATH, 'must be a path on this origin: one leading /, not // or /\\, no whitespace or #')
    .default(DEFAULT_RETURN_TO),
});
export type OidcStartQuery = z.infer<typeof oidcStartQuery>;

/** Where the browser lands signed in: the operator token in the fragment, which never reaches a server or a log. */
export function signedInLocation(returnTo: string, login: { token: string; expiresAt: string }): string {
  const fragment = new URLSearchParams({ operator_token: login.token, expires_at: login.expiresAt });
  return `${returnTo}#${fragment.toString()}`;
}
