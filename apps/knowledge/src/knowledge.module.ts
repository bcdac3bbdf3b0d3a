import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { auditLogProvider, erasureLedgerProvider, idempotencyProvider, unitOfWorkProviders } from '@widget/common';
import { AnswerService } from './domain/answer/answer.service';
import { ChatProvider } from './domain/answer/chat-provider';
import { ArticlesService } from './domain/articles.service';
import { CollectionsService } from './domain/collections.service';
import { KnowledgePrivacyService } from './domain/privacy.service';
import { EmbeddingsProvider } from './domain/retrieval/embeddings';
import { QueryExpander } from './domain/retrieval/query-expander';
import { SynonymsService } from './domain/synonyms.service';
import { AdminHandler } from './handlers/admin.handler';
import { ArticlesHandler } from './handlers/articles.handler';
import { PrivacyHandler } from './handlers/privacy.handler';
import { AnswerRetrievalRepository } from './persistence/answer-retrieval.repository';
import { AnswerRecordRepository } from './persistence/answer-record.repository';
import { ArticleRepository } from './persistence/article.repository';
import { CollectionRepository } from './persistence/collection.repository';
import { EmbeddingRepository } from './persistence/embedding.repository';
import { SynonymRepository } from './persistence/synonym.repository';
import { VocabularyRepository } from './persistence/vocabulary.repository';
import { KNOWLEDGE_ENTITIES } from './persistence/entities';

@Module({
  imports: [TypeOrmModule.forFeature(KNOWLEDGE_ENTITIES)],
  controllers: [ArticlesHandler, AdminHandler, PrivacyHandler],
  providers: [
    idempotencyProvider('knowledge'),
    auditLogProvider('knowledge'),
    erasureLedgerProvider('knowledge'),
    ...unitOfWorkProviders(),
    KnowledgePrivacyService,
    ArticlesService,
    CollectionsService,
    AnswerService,
    ChatProvider,
    EmbeddingsProvider,
    ArticleRepository,
    AnswerRecordRepository,
    AnswerRetrievalRepository,
    CollectionRepository,
    VocabularyRepository,
    EmbeddingRepository,
    QueryExpander,
    SynonymsService,
    SynonymRepository,
  ],
})
export class KnowledgeModule {}
