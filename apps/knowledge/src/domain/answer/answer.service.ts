import { Injectable } from '@nestjs/common';
import { AppError, InjectLogger, NatsBus, UnitOfWork } from '@widget/common';
import type { Logger } from 'pino';
import { AiAnswerReply, AiCitation, ANSWER_RECORD_TTL_MS, AnswerRecord, AnswerRequest, ArticleSearchHit, ConversationRpc, SessionContext } from '@widget/contracts';
import { AnswerRecordRepository } from '../../persistence/answer-record.repository';
import { AnswerRetrieval, AnswerRetrievalRepository } from '../../persistence/answer-retrieval.repository';
import { ArticleRepository, ReadScope, RetrievedRow } from '../../persistence/article.repository';
import { ArticleVector, EmbeddingRepository, similaritiesInScope } from '../../persistence/embedding.repository';
import { EmbeddingsProvider } from '../retrieval/embeddings';
import { readScope } from '../articles.service';
import { escapeHtml } from '../html';
import { localeInfo } from '../locale';
import { Concept, anyConceptQuery, conceptQuery } from '../retrieval/expansion';
import { QueryExpander } from '../retrieval/query-expander';
import { questionWords, queryWords } from '../search-terms';
import { iso } from '../views';
import { ChatProvider } from './chat-provider';
import { ArticleTermsCache } from './article-terms';
import { splitSentences } from './passages';
import { CandidateInput, rankCandidates, ScoredCandidate, ScoringConcept, uncoveredShare } from './scoring';
import { ProviderPassage } from './provider-reply';
import { calibrated, fuseRankings, mostSimilar } from './semantic-mix';
import { toPlainText } from '../html';

const BOT_NAME = 'Help center';

interface Outcome {
  answer: AiAnswerReply['answer'];
  suggestions: ArticleSearchHit[];
  declineReason: string | null;
  /** What the ranking knew of its best candidate, logged at debug for the decision's fit (numbers only). */
  features?: DecisionFeatures;
}

/** The answer decision's inputs for its fit (eval/fit-decision.js): numbers only, never words or titles. */
export interface DecisionFeatures {
  concepts: number;
  candidates: number;
  confidence: number;
  second: number;
  articleCoverage: number;
  passageCoverage: number;
  titleCoverage: number;
  lexicalRank: number;
  semanticRank: number;
  similarity: number;
  /** The best cosine of any article in scope (not only the candidates'). */
  bestSimilarity: number;
  /** The share of the question's idf that no article has (uncoveredShare). */
  uncovered: number;
}

@Injectable()
export class AnswerService {
  private readonly logger: Logger;
  private readonly articleTerms = new ArticleTermsCache();

  constructor(
    private readonly articles: ArticleRepository,
    private readonly provider: ChatProvider,
    private readonly bus: NatsBus,
    private readonly expander: QueryExpander,
    private readonly embeddings: EmbeddingsProvider,
    private readonly vectors: EmbeddingRepository,
    private readonly records: AnswerRecordRepository,
    private readonly retrieval: AnswerRetrievalRepository,
    private readonly uow: UnitOfWork,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'AnswerService' });
  }

  async answer(req: AnswerRequest): Promise<AiAnswerReply> {
    if (!req.ai.enabled) {
      throw new AppError('validation_error', 'AI answers are turned off for this widget.', {
        reason: 'ai_disabled',
        details: [{ field: '(widget)', reason: 'ai.enabled or features.aiAnswers is false' }],
      });
    }
    const { mode, minConfidence } = req.ai;
    const outcome = await this.compose(req, mode === 'answer_first', minConfidence);
    // One line per answer, declined early or not, so the evaluation can pair them with its questions.
    // The features as JSON in the message: apps/knowledge/eval/run-eval.js reads them from there.
    this.logger.debug(`answer features: ${JSON.stringify(outcome.features ?? null)}`);
    const suggestions = req.suggestArticles ? outcome.suggestions : [];

    const id = this.uow.newId('answer');
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
    // Its own unit of work, after the provider's answer (no network call inside a transaction).
    await this.uow.run({}, async (tx) => {
      const now = tx.now();
      await this.records.insert(
        {
          id,
          session: req.session,
          question: req.question,
          answer: reply.answer && { text: reply.answer.text, citations: reply.answer.citations },
          expiresAt: new Date(now.getTime() + ANSWER_RECORD_TTL_MS),
        },
        now,
        tx,
      );
    });

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
    const record = await this.records.findFor(session, answerId, this.uow.now());
    if (!record) throw answerNotFound();
    return record;
  }

  /**
   * Retrieval, passage scoring and (when asked) the answer itself. Four round
   * trips at most, three of them at once: the configurations, the vocabulary's
   * facts and the workspace's vector version (with an endpoint, its question
   * vector too); then one retrieval statement; then the candidates' lexemes
   * only for articles not stemmed before (ArticleTermsCache).
   */
  private async compose(req: AnswerRequest, wantAnswer: boolean, minConfidence: number): Promise<Outcome> {
    const scope = readScope(req.scope, req.locale);
    const words = questionWords(queryWords(req.question));
    if (words.length === 0 || (scope.collectionIds && scope.collectionIds.length === 0)) return declined('no_relevant_articles');
    const [configs, concepts, semantic] = await Promise.all([
      this.articles.configsFor(scope.workspaceId, req.locale ? localeInfo(req.locale).tsConfig : null),
      this.expander.expand(scope.workspaceId, words, { prefixLast: false, language: scope.language }),
      this.semanticStart(scope.workspaceId, req.question),
    ]);
    if (configs.length === 0) return declined('no_relevant_articles');
    const similarity = semantic ? await this.similarities(scope, req.question, concepts, semantic) : null;
    const found = await this.retrieve(scope, configs, concepts, similarity);
    const retrieved = found.rows;
    if (retrieved.length === 0) return declined('no_relevant_articles');

    const profile = this.embeddings.profile;
    const calibration = this.embeddings.calibration;
    const { candidates: ranked, uncovered } = await this.score(concepts, found);
    const scored = fuseRankings(ranked, similarity, calibration, profile);
    // Visitor words and article titles are personal/business data: only numbers are logged.
    const [top, second] = scored;
    const features: DecisionFeatures | undefined = top && {
      concepts: concepts.length,
      candidates: scored.length,
      confidence: top.confidence,
      second: second?.confidence ?? 0,
      articleCoverage: top.articleCoverage,
      passageCoverage: top.passageCoverage,
      titleCoverage: top.titleCoverage,
      lexicalRank: top.lexicalRank,
      semanticRank: top.semanticRank,
      similarity: round3(top.similarity),
      bestSimilarity: round3(similarity ? Math.max(0, ...similarity.values()) : 0),
      uncovered: round3(uncovered.get(top.articleId) ?? 0),
    };
    const byId = new Map(retrieved.map((r) => [r.id, r]));
    const { suggestionMinCoverage, semanticSuggestionMin, maxSuggestions, providerPassages } = profile.answer;
    const relevant = scored.filter(
      (s) => s.articleCoverage >= suggestionMinCoverage || (s.semanticRank <= 2 && similarity !== null && calibrated(s.similarity, calibration) >= semanticSuggestionMin),
    );
    const suggestions = relevant.slice(0, maxSuggestions).map((s) => suggestion(s, byId.get(s.articleId)!));
    const best = scored[0];
    if (!wantAnswer) return { answer: null, suggestions, declineReason: null, features };
    if (!best || best.confidence < minConfidence) return { answer: null, suggestions, declineReason: relevant.length ? 'low_confidence' : 'no_relevant_articles', features };

    const builtIn = { text: toPlainText(best.passage), confidence: best.confidence, citations: [cite(best)] };
    if (!this.provider.enabled) return { answer: builtIn, suggestions, declineReason: null, features };

    const passages: ProviderPassage[] = scored
      .filter((s) => s.confidence >= minConfidence / 2)
      .slice(0, providerPassages)
      .map((s) => ({ articleId: s.articleId, title: s.title, text: s.passage }));
    const result = await this.provider.answer(req.question, passages, req.locale);
    if (result.kind === 'declined') return { answer: null, suggestions, declineReason: 'low_confidence', features };
    if (result.kind === 'invalid') return { answer: builtIn, suggestions, declineReason: null, features };
    const citations = uniqueCitations(result.cited.map((n) => passages[n - 1]));
    return { answer: { text: toPlainText(result.text), confidence: best.confidence, citations }, suggestions, declineReason: null, features };
  }

  /**
   * Lexical retrieval (each concept's idf in the scope, the answer.retrieveArticles best articles by
   * idf-weighted rank) and the answer.semanticArticles most similar articles it lacks, with the
   * alternatives' lexemes and their document frequencies for scoring: one statement.
   */
  private retrieve(scope: ReadScope, configs: string[], concepts: Concept[], similarity: Map<string, number> | null): Promise<AnswerRetrieval> {
    const { scoring, answer } = this.embeddings.profile;
    return this.retrieval.retrieve(scope, {
      configs,
      concepts: concepts.map((c) => ({
        exact: conceptQuery({ ...c, alternatives: c.alternatives.slice(0, 1) }),
        expanded: conceptQuery(c),
        factor: c.common ? scoring.commonWord : 1,
      })),
      any: anyConceptQuery(concepts),
      limit: answer.retrieveArticles,
      alternatives: concepts.flatMap((c) => c.alternatives.map((a) => a.text)),
      // Enough for `semanticArticles` of them after the lexical candidates are left out.
      nearest: similarity ? mostSimilar(similarity, answer.semanticArticles + answer.retrieveArticles) : [],
      extra: similarity ? answer.semanticArticles : 0,
    });
  }

  /**
   * What similarity needs that does not depend on the question's expansion, read beside it: the
   * workspace's vectors (a version read; the vectors themselves when it moved) and, with an
   * endpoint, the question's vector. Null without embeddings.
   */
  private async semanticStart(workspaceId: string, question: string): Promise<{ vectors: ArticleVector[]; endpointVector: number[] | null } | null> {
    if (!this.embeddings.enabled) return null;
    const [vectors, endpointVector] = await Promise.all([
      this.vectors.vectorsFor(workspaceId, this.embeddings.model),
      this.embeddings.local ? null : this.embeddings.embedQuestion(question, []),
    ]);
    return { vectors, endpointVector };
  }

  /** The question's cosine similarity to every readable article with a vector; null when the question has no vector (or the endpoint failed). */
  private async similarities(
    scope: ReadScope,
    question: string,
    concepts: Concept[],
    semantic: { vectors: ArticleVector[]; endpointVector: number[] | null },
  ): Promise<Map<string, number> | null> {
    const vector = this.embeddings.local ? await this.embeddings.embedQuestion(question, concepts) : semantic.endpointVector;
    return vector ? similaritiesInScope(semantic.vectors, scope, vector) : null;
  }

  /** Scores the candidates: the alternatives' lexemes and frequencies came with retrieval; the articles' lexemes from memory, or one statement for those not stemmed before. */
  private async score(concepts: Concept[], found: AnswerRetrieval): Promise<{ candidates: ScoredCandidate[]; uncovered: Map<string, number> }> {
    // Every candidate's configuration is one retrieval stemmed under (the scope's language's, or each the workspace uses).
    const retrieved = found.rows.filter((r) => found.lexemes.has(r.ts_config));
    const missing = retrieved.filter((r) => !this.articleTerms.get(r));
    if (missing.length > 0) {
      const sentences = missing.map((r) => splitSentences(r.body_text));
      const texts = missing.flatMap((r, i) => [r.title, ...sentences[i].map((s) => s.text)]);
      const configs = missing.flatMap((r, i) => [r.ts_config, ...sentences[i].map(() => r.ts_config)]);
      const lexemes = await this.retrieval.lexemes(configs, texts);
      let at = 0;
      missing.forEach((r, i) => {
        const titleTerms = lexemes[at++];
        const passages = sentences[i].map((s) => ({ text: s.text, block: s.block, terms: lexemes[at++] }));
        this.articleTerms.set(r, { titleTerms, passages });
      });
    }
    // Per concept, per alternative: its index in the flat list of alternatives retrieval stemmed.
    let next = 0;
    const alternativeAt = concepts.map((c) => c.alternatives.map(() => next++));
    const conceptsOf = new Map<string, ScoringConcept[]>();
    const candidates: CandidateInput[] = retrieved.map((r) => {
      let scoring = conceptsOf.get(r.ts_config);
      if (!scoring) conceptsOf.set(r.ts_config, (scoring = scoringConcepts(concepts, alternativeAt, found.lexemes.get(r.ts_config)!)));
      const terms = this.articleTerms.get(r)!;
      const questionTerms = [...new Set(scoring.flatMap((k) => k.alternatives.flatMap((a) => a.terms)))];
      return {
        articleId: r.id,
        title: r.title,
        titleTerms: terms.titleTerms,
        passages: terms.passages,
        questionTerms,
        concepts: scoring,
        corpusSize: found.sizes.get(r.ts_config) ?? retrieved.length,
        documentFrequency: Object.fromEntries(questionTerms.map((t) => [t, found.df.get(`${r.ts_config}\u0000${t}`) ?? 0])),
      };
    });
    const p = this.embeddings.profile.scoring;
    return { candidates: rankCandidates(candidates, p), uncovered: new Map(candidates.map((c) => [c.articleId, uncoveredShare(c, p)])) };
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

const round3 = (v: number) => Math.round(v * 1000) / 1000;

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
