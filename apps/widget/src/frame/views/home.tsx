import type { TicketForm } from '@widget/sdk/core';
import { t } from '../i18n';
import { authorName, filesSummary, type Props, RowText, timeFormat, useAsync } from './common';
import { AskAi, Search } from './knowledge';

export function Home({ core, ui }: Props) {
  const features = core.config!.features;
  const conversations = core.listConversations();
  const aiOn = features.aiAnswers && core.config!.ai.enabled;
  const forms = useAsync(() => (features.ticketForms && core.session ? core.listForms() : Promise.resolve([] as TicketForm[])), [core.session?.id]);
  return (
    <div class="home">
      {features.conversations && (
        <section aria-labelledby="conv-h">
          <button type="button" class="primary wide" data-autofocus onClick={() => ui.update({ view: { name: 'new' } })}>
            {t('startConversation')}
          </button>
          <h2 id="conv-h">{t('yourConversations')}</h2>
          {conversations.length === 0 ? (
            <p class="muted">{t('noConversations')}</p>
          ) : (
            <ul class="list" data-testid="conversations">
              {conversations.map((c) => (
                <li key={c.id}>
                  <button type="button" class="row" onClick={() => ui.update({ view: { name: 'thread', id: c.id } })}>
                    <span class="row-main">
                      <span class="row-title" dir="auto">
                        {c.subject ?? (c.lastMessage ? c.lastMessage.text || filesSummary(c.lastMessage) : t('noMessagesYet'))}
                      </span>
                      <span class="row-sub">
                        {c.lastMessage && (
                          <>
                            <span dir="auto">{authorName(c.lastMessage)}</span> · {timeFormat.format(new Date(c.lastMessage.createdAt))}
                          </>
                        )}
                      </span>
                    </span>
                    {c.unreadCount > 0 && <span class="pill">{c.unreadCount}</span>}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {aiOn && <AskAi core={core} ui={ui} />}
      {features.knowledgeBase && <Search core={core} ui={ui} />}
      {features.ticketForms && forms.value && forms.value.length > 0 && (
        <section aria-labelledby="forms-h">
          <h2 id="forms-h">{t('forms')}</h2>
          <ul class="list">
            {forms.value.map((f) => (
              <li key={f.id}>
                <button type="button" class="row" onClick={() => ui.update({ view: { name: 'form', id: f.id } })}>
                  <RowText title={f.name} sub={f.description} />
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
