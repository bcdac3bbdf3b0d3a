import type { PassageInput } from './scoring';

/** An article's title and sentences as lexemes under its configuration: what scoring reads of it. */
export interface ArticleTerms {
  titleTerms: string[];
  passages: PassageInput[];
}

interface Entry {
  title: string;
  bodyText: string;
  config: string;
  terms: ArticleTerms;
}

/** Articles whose terms are kept, at most: a few kB each (1,000 bench articles: ~4 MB of heap). */
export const ARTICLE_TERMS_CACHED = 2000;

/**
 * The answer path's memory of stemmed articles: an article's sentences and
 * their lexemes depend only on its title, text and configuration, so they
 * are stemmed once (one statement for the articles missing) and kept until
 * the article changes; an entry is used only while those three are exactly
 * the row's. Least recently used dropped first.
 */
export class ArticleTermsCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly max = ARTICLE_TERMS_CACHED) {}

  get(row: { id: string; title: string; body_text: string; ts_config: string }): ArticleTerms | undefined {
    const entry = this.entries.get(row.id);
    if (!entry || entry.title !== row.title || entry.bodyText !== row.body_text || entry.config !== row.ts_config) return undefined;
    this.entries.delete(row.id);
    this.entries.set(row.id, entry);
    return entry.terms;
  }

  set(row: { id: string; title: string; body_text: string; ts_config: string }, terms: ArticleTerms): void {
    this.entries.delete(row.id);
    this.entries.set(row.id, { title: row.title, bodyText: row.body_text, config: row.ts_config, terms });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.max) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
