import { Injectable, Logger } from '@nestjs/common';
import { AppError, NatsBus, newId } from '@widget/common';
import { AiAnswerReply, AiCitation, ANSWER_RECORD_TTL_MS, AnswerRecord, AnswerRequest, ArticleSearchHit, ConversationRpc, SessionContext } from '@widget/contracts';
import { AnswerRecordRepository } from '../../persistence/answer-record.repository';
import { ArticleRepository, ReadScope, RetrievedRow } from '../../persistence/article.repository';
import { EmbeddingRepository } from '../../persistence/embedding.repository';
import { EmbeddingsProvider } from '../retrieval/embeddings';
import { readScope } from '../articles.service';
import { escapeHtml } from '../html';
import { localeInfo } from '../locale';
import { Concept, anyConceptQuery, conceptQuery } from '../retrieval/expansion';
import { QueryExpander } from '../retrieval/query-expander';
import { questionWords, queryWords } from '../search-terms';
import { iso } from '../views';
import { ChatProvider } from './chat-provider';
import { splitSentences } from './passages';
import { CandidateInput, idf, rankCandidates, ScoredCandidate, ScoringConcept } from './scoring';
import { ProviderPassage } from './provider-reply';
import { calibrated, fuseRankings } from './semantic-mix';
import { toPlainText } from '../html';

const BOT_NAME = 'Help center';

interface Outcome {
  answer: AiAnswerReply['answer'];
  suggestions: ArticleSearchHit[];
  declineReason: string | null;
}

@Injectable()
export class AnswerService {
  private readonly logger = new Logger(AnswerService.name);

  constructor(
    private readonly articles: ArticleRepository,
    private readonly provider: ChatProvider,
    private readonly bus: NatsBus,
    private readonly expander: QueryExpander,
    private readonly embeddings: EmbeddingsProvider,
    private readonly vectors: EmbeddingRepository,
    private readonly records: AnswerRecordRepository,
  ) {}

  async answer(req: AnswerRequest): Promise<AiAnswerReply> {
    if (!req.ai.enabled) {
      throw new AppError('validation_error', 'AI answers are turned off for this widget.', {
        reason: 'ai_disabled',
        details: [{ field: '(widget)', reason: 'ai.enabled or features.aiAnswers is false' }],
      });
    }
    const { mode, minConfidence } = req.ai;
    const outcome = await this.compose(req, mode === 'answer_first', minConfidence);
    const suggestions = req.suggestArticles ? outcome.suggestions : [];

    const id = newId('answer');
    let reply: AiAnswerReply;
    if (mode === 'human_first') {
      reply = { id, mode, answer: null, suggestions, escalation: { recommended: true, reason: 'human_first' } };
    } else if (mode === 'suggest_articles') {
      const none = suggestions.length === 0;
      reply = { id, mode, answer: null, suggestions, escalation: { recommended: none, reason: none ? 'no_relevant_articles' : null } };
    } else if (outcome.answer) {
      reply = { id, mode, answer: outcome.answer, suggestions, escalation: { recommended: false, reason: null } };
    } else {
      reply = { id, mode, answer: null, suggestions, escalation: { recommended: true, reason: outcome.declineReason ?? 'low_confidence' } };
    }

    // What this session was given, so an escalation's note comes from the server's record, not the client.
    const now = new Date();
    await this.records.insert(
      {
        id,
        session: req.session,
        question: req.question,
        answer: reply.answer && { text: reply.answer.text, citations: reply.answer.citations },
        expiresAt: new Date(now.getTime() + ANSWER_RECORD_TTL_MS),
      },
      now,
    );

    if (req.conversationId) {
      // The conversation service checks that the session owns the conversation (conversation_not_found otherwise).
      if (reply.answer) {
        const sources = reply.answer.citations.map((c) => c.title).join('; ');
        await this.bus.send(ConversationRpc.postBotMessage, {
          session: req.session,
          conversationId: req.conversationId,
          text: `${reply.answer.text}\n\nSource: ${sources}`,
          authorName: BOT_NAME,
        });
      } else {
        await this.bus.send(ConversationRpc.get, { session: req.session, conversationId: req.conversationId });
      }
    }
    return reply;
  }

  /** An answer this session (or its identified user) was given within the hour; answer_not_found otherwise. */
  async record(session: SessionContext, answerId: string): Promise<AnswerRecord> {
    const record = await this.records.findFor(session, answerId, new Date());
    if (!record) throw answerNotFound();
    return record;
  }

  /** Retrieval, passage scoring and (when asked) the answer itself. */
  private async compose(req: AnswerRequest, wantAnswer: boolean, minConfidence: number): Promise<Outcome> {
    const scope = readScope(req.scope, req.locale);
    const words = questionWords(queryWords(req.question));
    if (words.length === 0 || (scope.collectionIds && scope.collectionIds.length === 0)) return declined('no_relevant_articles');
    const configs = await this.articles.configsFor(scope.workspaceId, req.locale ? localeInfo(req.locale).tsConfig : null);
    if (configs.length === 0) return declined('no_relevant_articles');
    const concepts = await this.expander.expand(scope.workspaceId, words, { prefixLast: false, language: scope.language });
    const [{ rows: lexical, sizes }, similarity] = await Promise.all([this.retrieve(scope, configs, concepts), this.similarities(scope, req.question, concepts)]);
    const retrieved = similarity ? await this.withNearest(scope, lexical, similarity) : lexical;
    if (retrieved.length === 0) return declined('no_relevant_articles');

    const profile = this.embeddings.profile;
    const calibration = this.embeddings.calibration;
    const scored = fuseRankings(await this.score(scope, concepts, retrieved, sizes), similarity, calibration, profile);
    // Visitor words and article titles are personal/business data: only counts are logged.
    // (Nest's Logger takes a string: an object here printed "[object Object]".)
    const [top, second] = scored;
    this.logger.debug(
      `answer candidates scored: concepts=${concepts.length} candidates=${scored.length}` +
        (top ? ` confidence=${top.confidence} second=${second?.confidence ?? 0} lexicalRank=${top.lexicalRank} semanticRank=${top.semanticRank} similarity=${top.similarity.toFixed(3)}` : ''),
    );
    const byId = new Map(retrieved.map((r) => [r.id, r]));
    const { suggestionMinCoverage, semanticSuggestionMin, maxSuggestions, providerPassages } = profile.answer;
    const relevant = scored.filter(
      (s) => s.articleCoverage >= suggestionMinCoverage || (s.semanticRank <= 2 && similarity !== null && calibrated(s.similarity, calibration) >= semanticSuggestionMin),
    );
    const suggestions = relevant.slice(0, maxSuggestions).map((s) => suggestion(s, byId.get(s.articleId)!));
    const best = scored[0];
    if (!wantAnswer) return { answer: null, suggestions, declineReason: null };
    if (!best || best.confidence < minConfidence) return { answer: null, suggestions, declineReason: relevant.length ? 'low_confidence' : 'no_relevant_articles' };

    const builtIn = { text: toPlainText(best.passage), confidence: best.confidence, citations: [cite(best)] };
    if (!this.provider.enabled) return { answer: builtIn, suggestions, declineReason: null };

    const passages: ProviderPassage[] = scored
      .filter((s) => s.confidence >= minConfidence / 2)
      .slice(0, providerPassages)
      .map((s) => ({ articleId: s.articleId, title: s.title, text: s.passage }));
    const result = await this.provider.answer(req.question, passages, req.locale);
    if (result.kind === 'declined') return { answer: null, suggestions, declineReason: 'low_confidence' };
    if (result.kind === 'invalid') return { answer: builtIn, suggestions, declineReason: null };
    const citations = uniqueCitations(result.cited.map((n) => passages[n - 1]));
    return { answer: { text: toPlainText(result.text), confidence: best.confidence, citations }, suggestions, declineReason: null };
  }

  /**
   * Lexical retrieval: each concept's idf in the scope (one round trip),
   * then the answer.retrieveArticles (profile) best articles by idf-weighted rank (another).
   * `sizes`: the scope's article count per configuration, for scoring.
   */
  private async retrieve(scope: ReadScope, configs: string[], concepts: Concept[]): Promise<{ rows: RetrievedRow[]; sizes: Map<string, number> }> {
    const { scoring, answer } = this.embeddings.profile;
    const queries = concepts.map((c) => ({ exact: conceptQuery({ ...c, alternatives: c.alternatives.slice(0, 1) }), expanded: conceptQuery(c) }));
    const { sizes, df } = await this.articles.conceptFrequencies(scope, configs, queries.map((q) => q.expanded));
    const weights = configs.flatMap((config) =>
      queries
        .map((q, i) => ({ config, ...q, df: df.get(config)![i], factor: concepts[i].common ? scoring.commonWord : 1 }))
        .filter((w) => w.df > 0)
        .map(({ df: n, factor, ...w }) => ({ ...w, idf: idf(sizes.get(config) ?? 0, n) * factor })),
    );
    if (weights.length === 0) return { rows: [], sizes };
    return { rows: await this.articles.retrieve(scope, configs, weights, anyConceptQuery(concepts), answer.retrieveArticles), sizes };
  }

  /** With an embeddings endpoint: the question's cosine similarity to every readable article with a vector; null without (or when the call fails). */
  private async similarities(scope: ReadScope, question: string, concepts: Concept[]): Promise<Map<string, number> | null> {
    if (!this.embeddings.enabled) return null;
    const vector = await this.embeddings.embedQuestion(question, concepts);
    return vector ? this.vectors.similarities(scope, this.embeddings.model, vector) : null;
  }

  /** The lexical candidates plus the profile's `semanticArticles` most similar articles they lack. */
  private async withNearest(scope: ReadScope, lexical: RetrievedRow[], similarity: Map<string, number>): Promise<RetrievedRow[]> {
    const have = new Set(lexical.map((r) => r.id));
    const nearest = [...similarity.entries()]
      .filter(([id, sim]) => sim > 0 && !have.has(id))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, this.embeddings.profile.answer.semanticArticles)
      .map(([id]) => id);
    return [...lexical, ...(await this.articles.retrievable(scope, nearest))];
  }

  /** Stems the question's alternatives, titles and sentences in one round trip, counts document frequencies in another, then scores. */
  private async score(scope: ReadScope, concepts: Concept[], retrieved: RetrievedRow[], sizes: Map<string, number>): Promise<ScoredCandidate[]> {
    const configs = [...new Set(retrieved.map((r) => r.ts_config))];
    const sentences = retrieved.map((r) => splitSentences(r.body_text));
    const texts: string[] = [];
    const textConfigs: string[] = [];
    const push = (cfg: string, text: string) => {
      texts.push(text);
      textConfigs.push(cfg);
      return texts.length - 1;
    };
    // Per configuration, per concept, per alternative: where its text's lexemes will be.
    const alternativeAt = new Map(configs.map((cfg) => [cfg, concepts.map((c) => c.alternatives.map((a) => push(cfg, a.text)))]));
    const titleAt = retrieved.map((r) => push(r.ts_config, r.title));
    const sentenceAt = retrieved.map((r, i) => sentences[i].map((s) => push(r.ts_config, s.text)));
    const lexemes = await this.articles.lexemes(textConfigs, texts);

    const conceptsOf = new Map(configs.map((cfg) => [cfg, scoringConcepts(concepts, alternativeAt.get(cfg)!, lexemes)]));
    const pairs = configs.flatMap((config) => {
      const terms = new Set(conceptsOf.get(config)!.flatMap((k) => k.alternatives.flatMap((a) => a.terms)));
      return [...terms].map((term) => ({ config, term }));
    });
    const { sizes: counted, df } = await this.articles.documentFrequencies(scope, pairs, sizes);

    const candidates: CandidateInput[] = retrieved.map((r, i) => {
      const scoring = conceptsOf.get(r.ts_config)!;
      const questionTerms = [...new Set(scoring.flatMap((k) => k.alternatives.flatMap((a) => a.terms)))];
      return {
        articleId: r.id,
        title: r.title,
        titleTerms: lexemes[titleAt[i]],
        passages: sentences[i].map((s, j) => ({ text: s.text, block: s.block, terms: lexemes[sentenceAt[i][j]] })),
        questionTerms,
        concepts: scoring,
        corpusSize: counted.get(r.ts_config) ?? retrieved.length,
        documentFrequency: Object.fromEntries(questionTerms.map((t) => [t, df.get(`${r.ts_config}\u0000${t}`) ?? 0])),
      };
    });
    return rankCandidates(candidates, this.embeddings.profile.scoring);
  }
}

/**
 * Concepts as lexemes under one configuration. Stop words have none and drop
 * out; two concepts with the same exact lexemes count once, as a repeated
 * word always did.
 */
function scoringConcepts(concepts: Concept[], at: number[][], lexemes: string[][]): ScoringConcept[] {
  const seen = new Set<string>();
  const out: ScoringConcept[] = [];
  concepts.forEach((c, i) => {
    const alternatives = c.alternatives.map((a, j) => ({ terms: lexemes[at[i][j]], weight: a.weight })).filter((a) => a.terms.length > 0);
    if (alternatives.length === 0 || alternatives[0].weight !== 1) return;
    const key = alternatives[0].terms.join(' ');
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ alternatives, ...(c.common ? { common: true } : {}), ...(c.otherProduct ? { otherProduct: true } : {}) });
  });
  return out;
}

function declined(reason: string): Outcome {
  return { answer: null, suggestions: [], declineReason: reason };
}

function cite(s: { articleId: string; title: string }): AiCitation {
  return { articleId: s.articleId, title: s.title };
}

function uniqueCitations(passages: ProviderPassage[]): AiCitation[] {
  const seen = new Map<string, AiCitation>();
  for (const p of passages) if (!seen.has(p.articleId)) seen.set(p.articleId, cite(p));
  return [...seen.values()];
}

function suggestion(s: ScoredCandidate, r: RetrievedRow): ArticleSearchHit {
  return {
    id: s.articleId,
    title: s.title,
    snippet: escapeHtml(s.passage),
    collectionId: r.collection_id,
    locale: r.locale,
    updatedAt: iso(r.updated_at),
    score: s.confidence,
  };
}

function answerNotFound(): AppError {
  return new AppError('validation_error', 'No such answer for this session, or it has expired.', {
    reason: 'answer_not_found',
    details: [{ field: 'answerId', reason: 'is not an answer given to this session within the last hour' }],
  });
}
