import type { LoginReply } from '@widget/contracts';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { SupportChatError } from '@widget/sdk/core';
import { describe, operatorAuth as auth } from './client';

// The API's bounds (libs/contracts team.ts, which would bring zod into the page).
const MIN_PASSWORD = 10;
const MAX_PASSWORD = 256;

/** A refused invitation: what to do, before the server's own words (the envelope's message, code and request id). */
const UNUSABLE: Record<string, string> = {
  invite_invalid: 'This invitation was already used or does not exist: sign in, or ask for a new one.',
  invite_expired: 'This invitation has expired: ask whoever invited you for a new one.',
};

/**
 * The invitation mail's link (`/inbox/#invite=<token>`, taken out of the address bar by account.ts): accept it
 * (POST /admin/v1/auth/accept-invite) and be signed in. A new person chooses a password (10 to 256 characters)
 * and may give a name; a person who already has an account proves it with their password (the server knows
 * which, the page does not: one form says both). A used, unknown or expired invitation says the server's words.
 */
export function AcceptInvite({ inviteToken, onSignedIn, onLeave }: { inviteToken: string; onSignedIn: (login: LoginReply) => void; onLeave: () => void }) {
  const [error, setError] = useState<{ text: string; attempt: number; field: 'password' | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const name = useRef<HTMLInputElement>(null);
  const password = useRef<HTMLInputElement>(null);
  const attempts = useRef(0);
  useLayoutEffect(() => name.current?.focus(), []);

  const fail = (text: string, field: 'password' | null) => {
    setError({ text, attempt: ++attempts.current, field });
    if (field) {
      password.current?.focus();
      password.current?.select();
    }
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const secret = password.current?.value ?? '';
    if (secret.length < MIN_PASSWORD || secret.length > MAX_PASSWORD) return fail(`The password needs ${MIN_PASSWORD} to ${MAX_PASSWORD} characters.`, 'password');
    const given = name.current?.value.trim() ?? '';
    setBusy(true);
    try {
      onSignedIn(await auth.acceptInvite({ inviteToken, password: secret, ...(given ? { name: given } : {}) }));
    } catch (err) {
      setBusy(false);
      if (err instanceof SupportChatError && err.reason === 'invalid_credentials') return fail('You already have an account: enter its password.', 'password');
      const said = describe(err, { network_error: 'The server could not be reached. Try again.' });
      const reason = err instanceof SupportChatError ? err.reason : undefined;
      fail(reason && reason in UNUSABLE ? `${UNUSABLE[reason]} ${said}` : said, null);
    }
  };

  return (
    <main class="signin">
      <h1>Accept your invitation</h1>
      <p>Join the workspace you were invited to and start answering visitors.</p>
      <form onSubmit={submit} noValidate aria-describedby={error ? 'invite-error' : undefined}>
        <label for="invite-name">Your name (if you are new here)</label>
        <input id="invite-name" ref={name} name="name" autocomplete="name" maxLength={120} />
        <label for="invite-password">Password</label>
        <input
          id="invite-password"
          ref={password}
          name="password"
          type="password"
          autocomplete="new-password"
          required
          aria-describedby="invite-password-hint"
          aria-invalid={error?.field === 'password' ? 'true' : undefined}
        />
        <p class="hint" id="invite-password-hint">
          New here: choose one of {MIN_PASSWORD} to {MAX_PASSWORD} characters. Already have an account: its password.
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'Accepting…' : 'Accept and sign in'}
        </button>
        {error && (
          <p class="error" role="alert" id="invite-error" key={error.attempt}>
            {error.text}
          </p>
        )}
      </form>
      <button type="button" class="link" onClick={onLeave}>
        Continue without the invitation
      </button>
    </main>
  );
}
