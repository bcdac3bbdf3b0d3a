import { Injectable } from '@nestjs/common';
import { InjectConfig, InjectLogger } from '@widget/common';
import type { Logger } from 'pino';
import type { KnowledgeConfig } from '../../config';
import type { SimilarityCalibration } from '../answer/semantic-mix';
import { queryWords } from '../search-terms';
import type { Concept } from './expansion';
import { retrievalProfile, RetrievalProfile } from './profile';
import { TITLE_REPEAT, WORD_VECTORS_MODEL, WordVectors, sentenceVector, wordVectors } from './word-vectors';

/** Characters of an article sent to be embedded: its title and the start of its body. */
export const EMBED_MAX_CHARS = 8000;

/**
 * An optional embeddings endpoint behind the common OpenAI-compatible
 * protocol (POST <base>/embeddings { model, input: string[] } →
 * { data: [{ index, embedding }] }). Every failure comes back as null: the
 * caller goes on lexically. The API key is sent, never logged.
 */
@Injectable()
export class EmbeddingsProvider {
  private readonly logger: Logger;
  /** The built-in word vectors, when no endpoint is configured (and EMBEDDINGS_LOCAL is not off). */
  private readonly table: WordVectors | null;
  readonly profile: RetrievalProfile;

  constructor(@InjectConfig() private readonly config: KnowledgeConfig, @InjectLogger() logger: Logger) {
    this.logger = logger.child({ component: 'EmbeddingsProvider' });
    this.profile = retrievalProfile(config.RETRIEVAL_PROFILE);
    this.table = !config.EMBEDDINGS_BASE_URL && config.EMBEDDINGS_LOCAL === 'on' ? wordVectors() : null;
  }

  get enabled(): boolean {
    return Boolean(this.config.EMBEDDINGS_BASE_URL) || this.table !== null;
  }

  /** The built-in word vectors (no endpoint): a question's vector is made in process, from its expansion. */
  get local(): boolean {
    return this.table !== null;
  }

  get model(): string {
    return this.table ? WORD_VECTORS_MODEL : this.config.EMBEDDINGS_MODEL;
  }

  /** The model's cosine scale, for mixing similarity into answers. */
  get calibration(): SimilarityCalibration {
    if (this.table) return { ...this.profile.wordVectors, answer: 2 };
    return { floor: this.config.EMBEDDINGS_SIMILARITY_FLOOR, ceil: this.config.EMBEDDINGS_SIMILARITY_CEIL, answer: this.config.EMBEDDINGS_ANSWER_SIMILARITY };
  }

  /** An article's vector: its title counts TITLE_REPEAT times with the word vectors. */
  async embedArticle(title: string, bodyText: string): Promise<number[] | null> {
    if (this.table) {
      const words = [...queryWords(title).map((word) => ({ word, weight: TITLE_REPEAT })), ...allWords(bodyText).map((word) => ({ word, weight: 1 }))];
      return sentenceVector(this.table, words);
    }
    const [vector] = (await this.embed([`${title}\n${bodyText}`])) ?? [];
    return vector ?? null;
  }

  /**
   * A question's vector. With the word vectors, from its expanded concepts: each word
   * as typed when the table has it, else its best correction the table has ("pasword"
   * is "password"), so typos do not fall out of the vector.
   */
  async embedQuestion(question: string, concepts: Concept[]): Promise<number[] | null> {
    if (this.table) {
      const table = this.table;
      const share = this.profile.wordVectors.alternatives;
      const words = concepts.flatMap((c) => {
        const typed = c.alternatives[0];
        // Sure equivalents (forms, operator and support groups, derived words) lend the vector their meaning too, at a share of their weight.
        const also = share > 0 ? c.alternatives.filter((a) => a.kind !== 'exact' && a.kind !== 'typo' && a.kind !== 'wordnet').flatMap((a) => a.text.split(' ').map((word) => ({ word, weight: share * a.weight }))) : [];
        if (typed.text.split(' ').every((w) => table.index.has(w))) return [...typed.text.split(' ').map((word) => ({ word, weight: 1 })), ...also];
        const fix = c.alternatives.find((a) => a.kind === 'typo' && table.index.has(a.text));
        return fix ? [{ word: fix.text, weight: fix.weight }, ...also] : also;
      });
      return sentenceVector(table, words);
    }
    const [vector] = (await this.embed([question])) ?? [];
    return vector ?? null;
  }

  async embed(texts: string[]): Promise<number[][] | null> {
    if (!this.config.EMBEDDINGS_BASE_URL || texts.length === 0) return null;
    const url = `${this.config.EMBEDDINGS_BASE_URL!.replace(/\/+$/, '')}/embeddings`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.config.EMBEDDINGS_API_KEY) headers.authorization = `Bearer ${this.config.EMBEDDINGS_API_KEY}`;
    const started = Date.now();
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: this.config.EMBEDDINGS_MODEL, input: texts.map((t) => t.slice(0, EMBED_MAX_CHARS)) }),
        signal: AbortSignal.timeout(this.config.EMBEDDINGS_TIMEOUT_MS),
      });
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        return this.failed(`http_${res.status}`, started);
      }
      const vectors = parseEmbeddings(await res.json(), texts.length);
      return vectors ?? this.failed('invalid_reply', started);
    } catch (err) {
      const name = (err as Error)?.name;
      return this.failed(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : name === 'SyntaxError' ? 'invalid_json' : 'unreachable', started);
    }
  }

  private failed(reason: string, started: number): null {
    this.logger.warn(`embeddings endpoint unusable (${reason}) after ${Date.now() - started} ms; retrieval stays lexical`);
    return null;
  }
}

/** The reply's vectors in input order; null unless there is one finite, non-empty vector per input, all of one length. */
export function parseEmbeddings(body: unknown, count: number): number[][] | null {
  const data = (body as { data?: unknown })?.data;
  if (!Array.isArray(data) || data.length !== count) return null;
  const out: number[][] = new Array(count);
  for (const [i, item] of data.entries()) {
    const index = typeof item?.index === 'number' ? item.index : i;
    const v = item?.embedding;
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x)) || index < 0 || index >= count) return null;
    out[index] = v;
  }
  if (out.some((v) => !v) || out.some((v) => v.length !== out[0].length)) return null;
  return out;
}

export { cosine } from '../../text';

/** Every word occurrence of a text, in queryWords() form (not capped as a query is). */
function allWords(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
