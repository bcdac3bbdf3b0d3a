import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConfig } from '@widget/common';
import type { KnowledgeConfig } from '../../config';
import { VocabularyRepository } from '../../persistence/vocabulary.repository';
import { ExpansionProfile } from './expansion';
import { retrievalProfile } from './profile';
import { Concept, expandQuery, spellingCandidates, wordnetCandidates } from './expansion';
import { SUPPORT_TERMS } from './support-terms';
import { wordnet } from './wordnet';

/** A query's words → concepts with their alternatives (expansion.ts), with one vocabulary round trip. */
@Injectable()
export class QueryExpander implements OnModuleInit {
  private readonly profile: ExpansionProfile;

  constructor(
    private readonly vocabulary: VocabularyRepository,
    @InjectConfig() config: KnowledgeConfig,
  ) {
    this.profile = retrievalProfile(config.RETRIEVAL_PROFILE).expansion;
  }

  /** Loads the WordNet map at start-up rather than on the first question. */
  onModuleInit(): void {
    wordnet();
  }

  /** `language`: the scope's language; WordNet and the support terms (English) apply to `en` and to searches across languages (null). */
  async expand(workspaceId: string, words: string[], options: { prefixLast: boolean; language: string | null }): Promise<Concept[]> {
    const english = options.language === null || options.language === 'en' ? wordnet() : null;
    const unfinished = options.prefixLast ? words[words.length - 1] : null;
    const candidates = [...wordnetCandidates(words, english), ...spellingCandidates(words, english !== null)];
    const facts = await this.vocabulary.facts(workspaceId, words, unfinished, candidates);
    return expandQuery(words, facts, { prefixLast: options.prefixLast, wordnet: english, supportTerms: english ? SUPPORT_TERMS : [], profile: this.profile });
  }
}
