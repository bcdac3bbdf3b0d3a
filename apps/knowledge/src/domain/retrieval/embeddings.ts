import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig } from '@widget/common';
import type { KnowledgeConfig } from '../../config';
import type { SimilarityCalibration } from '../answer/semantic-mix';

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
  private readonly logger = new Logger(EmbeddingsProvider.name);

  constructor(@InjectConfig() private readonly config: KnowledgeConfig) {}

  get enabled(): boolean {
    return Boolean(this.config.EMBEDDINGS_BASE_URL);
  }

  get model(): string {
    return this.config.EMBEDDINGS_MODEL;
  }

  /** The model's cosine scale, for mixing similarity into answers. */
  get calibration(): SimilarityCalibration {
    return { floor: this.config.EMBEDDINGS_SIMILARITY_FLOOR, ceil: this.config.EMBEDDINGS_SIMILARITY_CEIL, answer: this.config.EMBEDDINGS_ANSWER_SIMILARITY };
  }

  async embed(texts: string[]): Promise<number[][] | null> {
    if (!this.enabled || texts.length === 0) return null;
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

/** Cosine similarity; 0 for vectors of different lengths or zero norm. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
