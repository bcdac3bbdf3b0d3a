import { loadConfig, serviceEnv, urlEnv } from '@widget/common';
import { z } from 'zod';
import { retrievalProfile } from './domain/retrieval/profile';

const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const knowledgeEnv = serviceEnv
  .extend({
    /** A chat-completions endpoint (`<base>/chat/completions`); unset: the built-in answerer only. */
    AI_PROVIDER_BASE_URL: optional(urlEnv(['http:', 'https:'])),
    AI_PROVIDER_API_KEY: optional(z.string().min(1)),
    AI_PROVIDER_MODEL: z.string().min(1).default('gpt-4o-mini'),
    /** Past this the built-in answer is used; kept below the gateway's 15 s wait for answers. */
    AI_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(8000).default(4000),
    /** An embeddings endpoint (`<base>/embeddings`, OpenAI-compatible); unset: lexical retrieval only. */
    EMBEDDINGS_BASE_URL: optional(urlEnv(['http:', 'https:'])),
    EMBEDDINGS_API_KEY: optional(z.string().min(1)),
    EMBEDDINGS_MODEL: z.string().min(1).default('text-embedding-3-small'),
    /** Per call; past it a question is answered lexically and an article is saved without a vector. */
    EMBEDDINGS_TIMEOUT_MS: z.coerce.number().int().min(100).max(8000).default(2000),
    /**
     * The model's cosine scale (docs/knowledge.md, "Semantic retrieval"): at or below FLOOR a
     * similarity counts 0 in the ranking, at or above CEIL fully; from ANSWER on, an article is
     * answered from on similarity alone. Defaults measured with Universal Sentence Encoder lite.
     */
    EMBEDDINGS_SIMILARITY_FLOOR: z.coerce.number().min(-1).max(1).default(0.3),
    EMBEDDINGS_SIMILARITY_CEIL: z.coerce.number().min(-1).max(1).default(0.6),
    EMBEDDINGS_ANSWER_SIMILARITY: z.coerce.number().min(-1).max(1.01).default(0.65),
    /** Without EMBEDDINGS_BASE_URL: the built-in word vectors (GloVe, dist/word-vectors.bin) rank with the lexical answerer; off: lexical only. */
    EMBEDDINGS_LOCAL: z.enum(['on', 'off']).default('on'),
    /** Overrides of the retrieval profile (domain/retrieval/profile.ts), JSON; for the evaluation's --profile and --sweep. */
    RETRIEVAL_PROFILE: optional(z.string().min(2)),
  })
  .refine((env) => env.EMBEDDINGS_SIMILARITY_FLOOR < env.EMBEDDINGS_SIMILARITY_CEIL, {
    message: 'EMBEDDINGS_SIMILARITY_FLOOR must be below EMBEDDINGS_SIMILARITY_CEIL',
    path: ['EMBEDDINGS_SIMILARITY_FLOOR'],
  })
  .refine((env) => { try { retrievalProfile(env.RETRIEVAL_PROFILE); return true; } catch { return false; } }, {
    message: 'RETRIEVAL_PROFILE is not a JSON object of known profile keys with numbers',
    path: ['RETRIEVAL_PROFILE'],
  })
  .refine((env) => !env.AI_PROVIDER_API_KEY || env.AI_PROVIDER_BASE_URL, {
    message: 'AI_PROVIDER_API_KEY is set but AI_PROVIDER_BASE_URL is not',
    path: ['AI_PROVIDER_BASE_URL'],
  })
  .refine((env) => !env.EMBEDDINGS_API_KEY || env.EMBEDDINGS_BASE_URL, {
    message: 'EMBEDDINGS_API_KEY is set but EMBEDDINGS_BASE_URL is not',
    path: ['EMBEDDINGS_BASE_URL'],
  });
export type KnowledgeConfig = z.infer<typeof knowledgeEnv>;

export const loadKnowledgeConfig = () => loadConfig(knowledgeEnv);
