import type { AiAnswer, Article, ArticleHit, ChatCore } from '@widget/sdk/core';
import { SupportChatError } from '@widget/sdk/core';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import type { UiState } from '../ui-state';
import { ErrorNote, type Props, RowText, useAsync } from './common';

export function Search({ core, ui }: Props) {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<ArticleHit[] | null>(null);
  const [error, setError] = useState<SupportChatError>();
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!q.trim()) return;
    setError(undefined);
    try {
      setHits(await core.searchArticles(q.trim()));
    } catch (err) {
      setError(SupportChatError.from(err));
    }
  };
  return (
    <section aria-labelledby="search-h">
      <h2 id="search-h">{t('searchLabel')}</h2>
      <form class="inline" role="search" onSubmit={submit}>
        <input type="search" aria-labelledby="search-h" placeholder={t('searchPlaceholder')} value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary">
          {t('search')}
        </button>
      </form>
      <ErrorNote error={error} />
      {hits && hits.length === 0 && <p class="muted">{t('noResults')}</p>}
      {hits && hits.length > 0 && (
        <ul class="list" data-testid="search-results">
          {hits.map((h) => (
            <li key={h.id}>
              <button type="button" class="row" onClick={() => ui.update({ view: { name: 'article', id: h.id } })}>
                <RowText title={h.title} sub={stripMarks(h.snippet)} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Snippets mark matches with tags; shown as plain text here. */
function stripMarks(snippet: string): string {
  const div = document.createElement('div');
  div.innerHTML = snippet;
  return div.textContent ?? '';
}

export function AskAi({ core, ui }: Props) {
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState<AiAnswer | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<SupportChatError>();
  const ask = async (e: Event) => {
    e.preventDefault();
    if (!question.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      setAnswer(await core.aiAnswer(question.trim()));
    } catch (err) {
      setError(SupportChatError.from(err));
    } finally {
      setBusy(false);
    }
  };
  const escalate = async () => {
    try {
      const conversation = await core.talkToPerson(question.trim(), answer);
      ui.update({ view: { name: 'thread', id: conversation.id } });
    } catch (err) {
      setError(SupportChatError.from(err));
    }
  };
  const mode = core.config!.ai.mode;
  return (
    <section aria-labelledby="ask-h">
      <h2 id="ask-h">{t('askLabel')}</h2>
      <form class="inline" onSubmit={ask}>
        <input type="text" aria-labelledby="ask-h" placeholder={t('askPlaceholder')} value={question} onInput={(e) => setQuestion((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary" disabled={busy}>
          {t('ask')}
        </button>
      </form>
      <ErrorNote error={error} />
      {answer && (
        <div class="answer" data-testid="ai-answer" aria-live="polite">
          {answer.answer && (
            <>
              <h3>{t('aiAnswer')}</h3>
              <p class="answer-text" dir="auto">
                {answer.answer.text}
              </p>
              {answer.answer.citations.length > 0 && (
                <>
                  <h4>{t('sources')}</h4>
                  <ArticleLinks ui={ui} testId="citations" articles={answer.answer.citations.map((c) => ({ id: c.articleId, title: c.title }))} />
                </>
              )}
            </>
          )}
          {answer.suggestions.length > 0 && (mode !== 'answer_first' || !answer.answer) && (
            <>
              <h4>{t('suggestions')}</h4>
              <ArticleLinks ui={ui} articles={answer.suggestions} />
            </>
          )}
          {answer.escalation.recommended && <p class="muted">{t('humanRecommended')}</p>}
          {core.config!.features.conversations && (
            <button type="button" class={answer.escalation.recommended ? 'primary wide' : 'secondary wide'} onClick={escalate}>
              {t('talkToPerson')}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

/** Links to articles (an answer's sources, or suggestions), each opening the article view. */
export function ArticleLinks({ ui, articles, testId }: { ui: UiState; articles: Array<{ id: string; title: string }>; testId?: string }) {
  return (
    <ul class="citations" data-testid={testId}>
      {articles.map((a) => (
        <li key={a.id}>
          <button type="button" class="link" onClick={() => ui.update({ view: { name: 'article', id: a.id } })}>
            <span dir="auto">{a.title}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

export function ArticleView({ core, id }: { core: ChatCore; id: string }) {
  const article = useAsync<Article>(() => core.getArticle(id), [id]);
  useEffect(() => core.emit('article:opened', { articleId: id }), [id]);
  return (
    <article class="article" data-testid="article">
      {article.loading && <p class="muted">{t('loading')}</p>}
      <ErrorNote error={article.error} />
      {article.value && (
        <>
          <h2>{article.value.title}</h2>
          {/* The body is HTML sanitized by the server (SPEC §6); this frame's CSP runs no inline script either way. */}
          <div class="article-body" dangerouslySetInnerHTML={{ __html: article.value.body }} />
        </>
      )}
    </article>
  );
}
