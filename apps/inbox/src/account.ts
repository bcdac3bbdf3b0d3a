import type { OperatorView } from '@widget/contracts';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { isSignedOut } from '@widget/sdk/core';
import { operatorAuth as auth } from './client';
import { Account, forgetAccount, loadAccount, saveAccount, Session } from './storage';

/**
 * Where the tab is: signing in (the form, with a notice after a sign-out or
 * an expiry), checking a token (single sign-on's), choosing a workspace,
 * signed in, or signing out (the token is revoked before the form shows).
 */
export type AccountState =
  | { stage: 'signed-out'; notice: string | null }
  | { stage: 'checking' }
  | { stage: 'choose'; account: Account }
  | { stage: 'ready'; session: Session }
  | { stage: 'signing-out' }
  /** The invitation mail's link, `/inbox/#invite=<token>`: the accept form (invite.tsx). */
  | { stage: 'invite'; inviteToken: string };

export interface AccountControls {
  state: AccountState;
  /** After a login (the form) or a token checked by GET /me (single sign-on). */
  signedIn(login: { token: string; expiresAt: string; operator: OperatorView }): void;
  chooseWorkspace(workspaceId: string | null): void;
  /** "Sign out": POST /auth/logout, then the form. */
  signOut(): void;
  /** The server refused the token (it expired or was revoked): straight to the form, saying so. */
  expired(): void;
  /** Away from the invitation to the sign-in form (the invitation stays usable from its mail). */
  leaveInvite(): void;
}

const EXPIRED = 'Your sign-in has expired or was revoked. Sign in again.';
export const SIGNED_OUT = 'You have signed out.';
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Single sign-on comes back to `/inbox/#operator_token=…&expires_at=…`: the
 * token is taken out of the fragment and the address bar at once (it never
 * reached a server or a log, and stays out of the history).
 */
function takeFragmentToken(): { token: string; expiresAt: string } | { inviteToken: string } | null {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const token = params.get('operator_token');
  const inviteToken = params.get('invite');
  if (!token && !params.has('expires_at') && inviteToken === null) return null;
  // The same for an invitation's token (`#invite=`, the mail's link): out of the address bar before anything renders.
  history.replaceState(history.state, '', location.pathname + location.search);
  if (inviteToken !== null) return { inviteToken };
  return token ? { token, expiresAt: params.get('expires_at') ?? '' } : null;
}

/** The one workspace an account works in without asking (its only membership), or the one it had chosen if still a member. */
function withWorkspace(account: Account): AccountState {
  const ids = account.operator.memberships.map((m) => m.workspaceId);
  const workspaceId = account.workspaceId && ids.includes(account.workspaceId) ? account.workspaceId : ids.length === 1 ? ids[0] : null;
  return workspaceId ? { stage: 'ready', session: { ...account, workspaceId } } : { stage: 'choose', account: { ...account, workspaceId: null } };
}

function initial(fromFragment: ReturnType<typeof takeFragmentToken>): AccountState {
  if (fromFragment && 'inviteToken' in fromFragment) return { stage: 'invite', inviteToken: fromFragment.inviteToken };
  if (fromFragment) return { stage: 'checking' };
  const stored = loadAccount();
  return stored ? withWorkspace(stored) : { stage: 'signed-out', notice: null };
}

export function useAccount(): AccountControls {
  const [fragment] = useState(takeFragmentToken);
  const fromFragment = fragment && 'token' in fragment ? fragment : null;
  const [state, setState] = useState<AccountState>(() => initial(fragment));
  const account: Account | null = state.stage === 'ready' ? state.session : state.stage === 'choose' ? state.account : null;

  const enter = useCallback((next: Account) => {
    const entered = withWorkspace(next);
    saveAccount(entered.stage === 'ready' ? entered.session : next);
    setState(entered);
  }, []);

  const leave = useCallback((notice: string | null) => {
    forgetAccount();
    setState({ stage: 'signed-out', notice });
  }, []);

  const signedIn = useCallback(
    (login: { token: string; expiresAt: string; operator: OperatorView }) => enter({ ...login, workspaceId: null }),
    [enter],
  );

  // A token from single sign-on: whose it is, from GET /me.
  useEffect(() => {
    if (!fromFragment) return;
    auth.me(fromFragment.token).then(
      (me) => (me.kind === 'operator' ? signedIn({ ...fromFragment, operator: me.operator }) : leave('That sign-in was not for an operator account.')),
      (err: unknown) => leave(isSignedOut(err) ? 'The single sign-on did not complete. Sign in again.' : 'The server could not check the sign-in. Try again.'),
    );
  }, [fromFragment, signedIn, leave]);

  // The account as it is now (name, memberships), once per token: a membership removed since the last visit is gone from the picker.
  const token = account?.token ?? null;
  useEffect(() => {
    if (!token || fromFragment?.token === token) return;
    let current = true;
    auth.me(token).then(
      (me) => {
        if (!current || me.kind !== 'operator') return;
        const stored = loadAccount();
        if (stored?.token === token && JSON.stringify(stored.operator) !== JSON.stringify(me.operator)) enter({ ...stored, operator: me.operator });
      },
      (err: unknown) => current && isSignedOut(err) && leave(EXPIRED),
    );
    return () => {
      current = false;
    };
  }, [token, fromFragment, enter, leave]);

  // Back to the form when the token's time is up, even on an idle page.
  const expiresAt = account?.expiresAt;
  useEffect(() => {
    if (!expiresAt) return;
    const left = Date.parse(expiresAt) - Date.now();
    if (Number.isNaN(left)) return;
    if (left <= 0) return leave(EXPIRED);
    // Past setTimeout's range the next refused call says it instead.
    const timer = window.setTimeout(() => Date.parse(expiresAt) <= Date.now() && leave(EXPIRED), Math.min(left, MAX_TIMER_MS));
    return () => window.clearTimeout(timer);
  }, [expiresAt, leave]);

  const chooseWorkspace = useCallback(
    (workspaceId: string | null) => {
      if (!account) return;
      const next = { ...account, workspaceId };
      saveAccount(next);
      setState(workspaceId ? { stage: 'ready', session: { ...next, workspaceId } } : { stage: 'choose', account: next });
    },
    [account],
  );

  const signOut = useCallback(() => {
    const ending = token;
    setState({ stage: 'signing-out' });
    forgetAccount();
    // Revoked on every replica before the form shows (a failure leaves the token to expire; the tab forgets it either way).
    void (ending ? auth.logout(ending).catch(() => undefined) : Promise.resolve()).then(() => setState({ stage: 'signed-out', notice: SIGNED_OUT }));
  }, [token]);

  const expired = useCallback(() => leave(EXPIRED), [leave]);

  const leaveInvite = useCallback(() => setState(initial(null)), []);

  return { state, signedIn, chooseWorkspace, signOut, expired, leaveInvite };
}
