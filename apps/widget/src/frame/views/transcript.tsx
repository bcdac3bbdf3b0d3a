import type { ChatCore } from '@widget/sdk/core';
import { SupportChatError } from '@widget/sdk/core';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { EmailForm } from '../email-form';
import { t } from '../i18n';

type State = { name: 'idle' } | { name: 'sending' } | { name: 'ask-email' } | { name: 'done' } | { name: 'refused'; message: string };

/**
 * "Email me this conversation" (`POST …/transcript`, SPEC §15): with no email known yet (`email_unknown`) the
 * visitor's address is asked for inline, saved on the session, and the request made again; then a confirmation,
 * or the refusal in words (the hourly limit politely). Focus follows: the field, then the outcome.
 */
export function TranscriptRequest({ core, conversationId }: { core: ChatCore; conversationId: string }) {
  const [state, setState] = useState<State>({ name: 'idle' });
  const outcome = useRef<HTMLParagraphElement>(null);
  useLayoutEffect(() => {
    if (state.name === 'done' || state.name === 'refused') outcome.current?.focus();
  }, [state.name]);
  useEffect(() => setState({ name: 'idle' }), [conversationId]);

  const request = async () => {
    setState({ name: 'sending' });
    try {
      await core.requestTranscript(conversationId);
      setState({ name: 'done' });
    } catch (err) {
      const error = SupportChatError.from(err);
      if (error.reason === 'email_unknown') return setState({ name: 'ask-email' });
      setState({ name: 'refused', message: error.code === 'rate_limited' ? t('transcriptLimited') : t('error', { message: error.message }) });
    }
  };
  const withEmail = async (email: string) => {
    await core.update({ user: { email } });
    await request();
  };

  if (state.name === 'ask-email') {
    return (
      <div class="transcript">
        <EmailForm id="transcript-email" text={t('transcriptAskEmail')} saveLabel={t('transcriptSend')} onSave={withEmail} onDismiss={() => setState({ name: 'idle' })} dismissLabel={t('cancel')} focus />
      </div>
    );
  }
  return (
    <div class="transcript">
      {state.name === 'done' || state.name === 'refused' ? (
        <p class={state.name === 'done' ? 'transcript-done' : 'transcript-done error'} role="status" tabIndex={-1} ref={outcome} data-testid="transcript-status">
          {state.name === 'done' ? t('transcriptQueued') : state.message}
        </p>
      ) : (
        <button type="button" class="link" onClick={request} disabled={state.name === 'sending'} data-testid="transcript-button">
          {state.name === 'sending' ? t('transcriptSending') : t('transcriptButton')}
        </button>
      )}
    </div>
  );
}
