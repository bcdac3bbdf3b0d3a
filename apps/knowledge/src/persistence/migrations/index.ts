import { CreateKnowledgeSchema1732600000000 } from './1732600000000-create-knowledge-schema';
import { AddTitleVector1795600000000 } from './1795600000000-add-title-vector';
import { KnowledgeIdempotencyKeys1795700000000 } from './1795700000000-idempotency-keys';

/** In order; each is reviewed code, explicit and reversible. */
export const KNOWLEDGE_MIGRATIONS = [CreateKnowledgeSchema1732600000000, AddTitleVector1795600000000, KnowledgeIdempotencyKeys1795700000000];
