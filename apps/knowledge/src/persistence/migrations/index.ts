import { CreateKnowledgeSchema1732600000000 } from './1732600000000-create-knowledge-schema';

/** In order; each is reviewed code, explicit and reversible. */
export const KNOWLEDGE_MIGRATIONS = [CreateKnowledgeSchema1732600000000];
