import { auditLogMigration, erasureLedgerMigration } from '@widget/common';
import { CreateKnowledgeSchema1732600000000 } from './1732600000000-create-knowledge-schema';
import { AddTitleVector1795600000000 } from './1795600000000-add-title-vector';
import { AddVocabularyAndSynonyms1796100000000 } from './1796100000000-add-vocabulary-and-synonyms';
import { KnowledgeIdempotencyKeys1796200000000 } from './1796200000000-idempotency-keys';
import { AddArticleEmbeddings1796300000000 } from './1796300000000-add-article-embeddings';
import { AddEmbeddingVersions1796400000000 } from './1796400000000-add-embedding-versions';
import { AnswerRecords1796500000000 } from './1796500000000-answer-records';

/** In order; each is reviewed code, explicit and reversible. */
export const KNOWLEDGE_MIGRATIONS = [
  CreateKnowledgeSchema1732600000000,
  AddTitleVector1795600000000,
  AddVocabularyAndSynonyms1796100000000,
  KnowledgeIdempotencyKeys1796200000000,
  AddArticleEmbeddings1796300000000,
  AddEmbeddingVersions1796400000000,
  AnswerRecords1796500000000,
  auditLogMigration('knowledge', 1796600000100),
  // SPEC §17: the erasures whose knowledge part is done (counts, never data).
  erasureLedgerMigration('knowledge', 1796800000000),
];
