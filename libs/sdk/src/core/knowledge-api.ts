import { routeOf, WIDGET_ROUTE_PATHS as ROUTES } from '@widget/contracts/wire';
import type { Article, ArticleHit, Page } from '../types';
import type { AiAnswer, TicketForm } from './chat-types';
import type { Transport } from './transport';

/** The knowledge base, AI answers and ticket forms of the widget API: one route each, with the session's token. */
export class KnowledgeApi {
  constructor(
    private readonly transport: Transport,
    private readonly locale: string | undefined,
  ) {}

  async searchArticles(query: string): Promise<ArticleHit[]> {
    const page = await this.transport.call<Page<ArticleHit>>(routeOf(ROUTES.searchArticles), { query: { q: query, limit: 10, locale: this.locale } });
    return page.data;
  }

  getArticle(id: string): Promise<Article> {
    return this.transport.call<Article>(routeOf(ROUTES.getArticle, { id }));
  }

  aiAnswer(question: string, conversationId?: string): Promise<AiAnswer> {
    return this.transport.call<AiAnswer>(routeOf(ROUTES.answerQuestion), { body: { question, conversationId, locale: this.locale } });
  }

  async listForms(): Promise<TicketForm[]> {
    return (await this.transport.call<Page<TicketForm>>(routeOf(ROUTES.listForms))).data;
  }

  getForm(id: string): Promise<TicketForm> {
    return this.transport.call<TicketForm>(routeOf(ROUTES.getForm, { id }));
  }

  /** `clientSubmissionId` once per filled-in form, kept by every retry: the server stores the submission once. */
  submitForm(formId: string, values: Record<string, unknown>, clientSubmissionId: string): Promise<{ id: string; formId: string; conversationId: string }> {
    return this.transport.call(routeOf(ROUTES.submitForm, { id: formId }), { body: { values, clientSubmissionId } });
  }
}
