import { z } from 'zod';
import { cursorParam, Idempotent, idOf, Page, pageQuery, SessionContext } from './common';
import { Audited, auditLogRpc } from './team';
import { privacyRpcs } from './privacy';
import { event, rpc } from './transport';
import { AiMode } from './widget';

// ---- Limits ----
export const ARTICLE_TITLE_MAX = 255;
/** HTML characters; the gateway's body limit (64 KiB by default) caps it first. */
export const ARTICLE_BODY_MAX = 60_000;
export const COLLECTION_NAME_MAX = 120;
export const SEARCH_QUERY_MAX = 200;
export const SEARCH_LIMIT_MAX = 50;
export const QUESTION_MAX = 1000;
export const SYNONYM_GROUPS_MAX = 500;
export const SYNONYM_GROUP_MAX = 20;
export const SYNONYM_TERM_MAX = 60;

export const ARTICLE_STATUSES = ['draft', 'published'] as const;
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number];

/** A BCP 47 tag like en, de or pt-BR; the language subtag picks the stemming. */
export const localeTag = z
  .string()
  .max(35)
  .regex(/^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 tag like en or pt-BR');

const nonBlank = (max: number) =>
  z
    .string({ invalid_type_error: 'must be a string', required_error: 'is required' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

// ---- Views ----
export interface Collection {
  id: string;
  workspaceId: string;
  name: string;
  createdAt: string;
}

/** The operator's view: drafts included, with status and workspace. */
export interface AdminArticle {
  id: string;
  workspaceId: string;
  collectionId: string | null;
  title: string;
  /** Sanitized HTML. */
  body: string;
  locale: string;
  status: ArticleStatus;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
}

/** GET /articles/{id} (SPEC §6). */
export interface ArticleView {
  id: string;
  title: string;
  body: string;
  collectionId: string | null;
  locale: string;
  updatedAt: string;
}

export interface ArticleSearchHit {
  id: string;
  title: string;
  /** HTML-escaped text where only `<mark>…</mark>` is markup: where the words matched. */
  snippet: string;
  collectionId: string | null;
  locale: string;
  updatedAt: string;
  score: number;
}

export interface AiCitation {
  articleId: string;
  title: string;
}

export interface AiAnswerReply {
  /** This reply as the server recorded it for the session: what `POST /conversations/{id}/escalate` names (ANSWER_RECORD_TTL_MS). */
  id: string;
  mode: AiMode;
  answer: { text: string; confidence: number; citations: AiCitation[] } | null;
  suggestions: ArticleSearchHit[];
  escalation: { recommended: boolean; reason: string | null };
}

// ---- HTTP bodies and queries (validated at the gateway) ----
export const collectionBody = z.object({ name: nonBlank(COLLECTION_NAME_MAX) }).strict();

export const articleCreateBody = z
  .object({
    title: nonBlank(ARTICLE_TITLE_MAX),
    body: z.string({ invalid_type_error: 'must be a string', required_error: 'is required' }).max(ARTICLE_BODY_MAX, `must be at most ${ARTICLE_BODY_MAX} characters`),
    collectionId: idOf('collection').nullable().optional(),
    locale: localeTag.default('en'),
    status: z.enum(ARTICLE_STATUSES).default('draft'),
  })
  .strict();
export type ArticleCreateBody = z.infer<typeof articleCreateBody>;

export const articlePatchBody = z
  .object({
    title: nonBlank(ARTICLE_TITLE_MAX),
    body: z.string().max(ARTICLE_BODY_MAX, `must be at most ${ARTICLE_BODY_MAX} characters`),
    collectionId: idOf('collection').nullable(),
    locale: localeTag,
    status: z.enum(ARTICLE_STATUSES),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'must change at least one field');
export type ArticlePatchBody = z.infer<typeof articlePatchBody>;

export const adminArticlesQuery = pageQuery.extend({
  status: z.enum(ARTICLE_STATUSES).optional(),
  collectionId: idOf('collection').optional(),
});
export type AdminArticlesQuery = z.infer<typeof adminArticlesQuery>;

export const searchQuery = z.object({
  q: nonBlank(SEARCH_QUERY_MAX),
  limit: z.coerce.number().int().min(1).max(SEARCH_LIMIT_MAX).default(10),
  cursor: cursorParam(300).optional(),
  locale: localeTag.optional(),
});
export type SearchQuery = z.infer<typeof searchQuery>;

export const answerBody = z
  .object({
    question: nonBlank(QUESTION_MAX),
    conversationId: idOf('conversation').optional(),
    locale: localeTag.optional(),
  })
  .strict();
export type AnswerBody = z.infer<typeof answerBody>;

/** A synonym group's terms compare as their words, lower-cased: "Help-Desk" is "help desk". */
export function synonymTermKey(term: string): string {
  return (term.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).join(' ');
}

/** PUT /admin/v1/workspaces/{ws}/synonyms: the whole list, replacing the previous one. */
export const synonymsBody = z
  .object({
    groups: z
      .array(
        z
          .array(nonBlank(SYNONYM_TERM_MAX).refine((t) => synonymTermKey(t) !== '', 'must contain a letter or a digit'))
          .min(2, 'a group needs at least 2 terms')
          .max(SYNONYM_GROUP_MAX, `a group has at most ${SYNONYM_GROUP_MAX} terms`)
          .refine((g) => new Set(g.map(synonymTermKey)).size === g.length, 'terms of a group must differ'),
        { invalid_type_error: 'must be an array of arrays of terms', required_error: 'is required' },
      )
      .max(SYNONYM_GROUPS_MAX, `at most ${SYNONYM_GROUPS_MAX} groups`),
  })
  .strict();
export type SynonymsBody = z.infer<typeof synonymsBody>;

/** A workspace's synonym groups (operator API): terms as the operator wrote them. */
export interface SynonymGroups {
  workspaceId: string;
  groups: string[][];
  /** null: never set. */
  updatedAt: string | null;
}

// ---- NATS: request/reply ----
/** What a widget may read: one workspace, and its enabled collections (null: every collection). */
export interface ArticleScope {
  workspaceId: string;
  collectionIds: string[] | null;
}

export interface AnswerRequest extends AnswerBody {
  session: SessionContext;
  scope: ArticleScope;
  /** `enabled`: the widget's ai.enabled and features.aiAnswers both on; false is refused (ai_disabled). */
  ai: { enabled: boolean; mode: AiMode; minConfidence: number };
  /** false when the widget's knowledge base is off: answers still come, article suggestions do not. */
  suggestArticles: boolean;
}

/** How long an answer's record can be escalated from (docs/api.md). */
export const ANSWER_RECORD_TTL_MS = 60 * 60 * 1000;

/** What the server gave one session for one question: the only source of an escalation note. */
export interface AnswerRecord {
  id: string;
  question: string;
  answer: { text: string; citations: AiCitation[] } | null;
}

export const KnowledgeRpc = {
  search: rpc<{ scope: ArticleScope } & SearchQuery, Page<ArticleSearchHit>>('knowledge.articles.search'),
  /** A published article in scope; emits articleViewed. article_not_found otherwise. */
  getArticle: rpc<{ scope: ArticleScope; session: SessionContext; articleId: string }, ArticleView>('knowledge.articles.get'),
  answer: rpc<AnswerRequest, AiAnswerReply>('knowledge.ai.answer'),
  /**
   * An answer given to this session (or its identified user) within ANSWER_RECORD_TTL_MS; asked by the
   * conversation service when a visitor escalates. validation_error answer_not_found otherwise.
   */
  answerRecord: rpc<{ session: SessionContext; answerId: string }, AnswerRecord>('knowledge.ai.answer-record'),

  createCollection: rpc<{ workspaceId: string; name: string } & Idempotent & Audited, Collection>('knowledge.admin.collections.create'),
  listCollections: rpc<{ workspaceId: string; cursor?: string; limit: number }, Page<Collection>>('knowledge.admin.collections.list'),
  createArticle: rpc<{ workspaceId: string; body: ArticleCreateBody } & Idempotent & Audited, AdminArticle>('knowledge.admin.articles.create'),
  listArticles: rpc<{ workspaceId: string } & AdminArticlesQuery, Page<AdminArticle>>('knowledge.admin.articles.list'),
  adminGetArticle: rpc<{ articleId: string }, AdminArticle>('knowledge.admin.articles.get'),
  updateArticle: rpc<{ articleId: string; patch: ArticlePatchBody } & Audited, AdminArticle>('knowledge.admin.articles.update'),
  getSynonyms: rpc<{ workspaceId: string }, SynonymGroups>('knowledge.admin.synonyms.get'),
  putSynonyms: rpc<{ workspaceId: string } & SynonymsBody & Audited, SynonymGroups>('knowledge.admin.synonyms.put'),
  /** The collection, article and synonym changes this service recorded (SPEC §14), newest first. */
  auditLog: auditLogRpc('knowledge'),
  /** SPEC §17: this service's part of erasing and exporting one person. */
  ...privacyRpcs('knowledge'),
} as const;

// ---- NATS: events ----
/** Emitted when a visitor opens an article; the events service records it for analytics. */
export interface ArticleViewed {
  workspaceId: string;
  widgetId: string;
  sessionId: string;
  articleId: string;
  at: string;
}

export const KnowledgeEvents = {
  articleViewed: event<ArticleViewed>('knowledge.article.viewed'),
} as const;
