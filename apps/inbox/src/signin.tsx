import type { LoginReply, Membership } from '@widget/contracts';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { SupportChatError } from '@widget/sdk/core';
import { describe, operatorAuth as auth } from './client';
import { AccountControls, SIGNED_OUT } from './account';
import { AcceptInvite } from './invite';
import type { Account } from './storage';

/** Everything before the inbox: the sign-in form, a workspace to choose, or a short wait. */
export function AccountScreens({ controls }: { controls: AccountControls }) {
  const { state } = controls;
  if (state.stage === 'invite') return <AcceptInvite inviteToken={state.inviteToken} onSignedIn={controls.signedIn} onLeave={controls.leaveInvite} />;
  if (state.stage === 'signed-out') return <SignIn notice={state.notice} onSignedIn={controls.signedIn} />;
  if (state.stage === 'choose') return <WorkspacePicker account={state.account} onChoose={controls.chooseWorkspace} onSignOut={controls.signOut} />;
  return (
    <main class="signin" aria-busy="true">
      <h1>Inbox</h1>
      <p role="status">{state.stage === 'signing-out' ? 'Signing out…' : 'Signing in…'}</p>
    </main>
  );
}

function signInRefusal(err: unknown): string {
  // Nothing to report to anyone: no code or request id.
  if (err instanceof SupportChatError && err.reason === 'invalid_credentials') return 'Wrong email or password.';
  if (err instanceof SupportChatError && err.code === 'rate_limited') {
    const minutes = err.retryAfter ? Math.max(1, Math.ceil(err.retryAfter / 60)) : null;
    return `Too many failed sign-ins. Try again ${minutes ? `in ${minutes} minute${minutes === 1 ? '' : 's'}` : 'later'}.`;
  }
  return describe(err, { network_error: 'The server could not be reached. Try again.' });
}

/**
 * Email and password (POST /admin/v1/auth/login), or single sign-on when the
 * server offers it. The form checks its own fields (no browser bubbles), so
 * every error is said the same way: in the alert under the button, with the
 * field to fix focused.
 */
function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (login: LoginReply) => void }) {
  const [error, setError] = useState<{ text: string; attempt: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [sso, setSso] = useState(false);
  const [invalid, setInvalid] = useState<'email' | 'password' | null>(null);
  const email = useRef<HTMLInputElement>(null);
  const password = useRef<HTMLInputElement>(null);
  const attempts = useRef(0);

  // The form is the page's one task: its first field has the focus (also when it comes back after a sign-out),
  // before the form is painted, so a key pressed as soon as it shows lands there.
  useLayoutEffect(() => email.current?.focus(), []);
  useEffect(() => {
    let current = true;
    void auth.options().then((o) => current && setSso(o.sso));
    return () => {
      current = false;
    };
  }, []);

  const fail = (text: string, field: 'email' | 'password' | null) => {
    setError({ text, attempt: ++attempts.current });
    setInvalid(field);
    const input = field === 'email' ? email.current : password.current;
    if (field) {
      input?.focus();
      input?.select();
    }
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const address = email.current?.value.trim() ?? '';
    const secret = password.current?.value ?? '';
    if (!/^[^\s@]+@[^\s@]+$/.test(address)) return fail(address ? 'That is not an email address.' : 'Enter your email address.', 'email');
    if (!secret) return fail('Enter your password.', 'password');
    setBusy(true);
    try {
      const login = await auth.login(address, secret);
      onSignedIn(login);
    } catch (err) {
      fail(signInRefusal(err), err instanceof SupportChatError && err.reason === 'invalid_credentials' ? 'password' : null);
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <h1>Inbox</h1>
      <p>Sign in to answer your visitors.</p>
      {notice && !error && (
        <p class={notice === SIGNED_OUT ? 'notice' : 'notice error'} role={notice === SIGNED_OUT ? 'status' : 'alert'}>
          {notice}
        </p>
      )}
      <form onSubmit={submit} noValidate aria-describedby={error ? 'signin-error' : undefined}>
        <label for="email">Email</label>
        <input id="email" ref={email} name="email" type="email" autocomplete="username" required spellcheck={false} aria-invalid={invalid === 'email' ? 'true' : undefined} />
        <label for="password">Password</label>
        <input id="password" ref={password} name="password" type="password" autocomplete="current-password" required aria-invalid={invalid === 'password' ? 'true' : undefined} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error && (
          // A new element per attempt: the same words twice are announced twice.
          <p class="error" role="alert" id="signin-error" key={error.attempt}>
            {error.text}
          </p>
        )}
      </form>
      {sso && (
        <>
          <p class="or">or</p>
          <button type="button" class="secondary" onClick={() => location.assign(auth.ssoStartUrl(location.pathname))}>
            Sign in with SSO
          </button>
        </>
      )}
      <p class="hint">
        No account yet? An owner or admin of your workspace invites you. Your sign-in stays in this tab only and ends when you sign out or it expires.
      </p>
    </main>
  );
}

/** An account in several workspaces works in one per tab; its role in each is shown. */
function WorkspacePicker({ account, onChoose, onSignOut }: { account: Account; onChoose: (workspaceId: string) => void; onSignOut: () => void }) {
  const first = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => first.current?.focus(), []);
  const memberships: Membership[] = account.operator.memberships;
  return (
    <main class="signin">
      <h1>Choose a workspace</h1>
      <p>
        Signed in as{' '}
        <span class="said" dir="auto">
          {account.operator.name}
        </span>
        <span class="account-email">{account.operator.email}</span>
      </p>
      {memberships.length === 0 ? (
        <p class="notice" role="status">
          Your account belongs to no workspace yet: ask an owner or admin to invite you.
        </p>
      ) : (
        <ul class="workspaces">
          {memberships.map((m, i) => (
            <li key={m.workspaceId}>
              <button type="button" ref={i === 0 ? first : undefined} onClick={() => onChoose(m.workspaceId)}>
                <span class="workspace-id">{m.workspaceId}</span> <span class="role">{m.role}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <button type="button" class="link" onClick={onSignOut}>
        Sign out
      </button>
    </main>
  );
}
