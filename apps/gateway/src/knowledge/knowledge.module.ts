import { Module } from '@nestjs/common';
import { AdminArticlesController, AdminWorkspaceKnowledgeController } from './admin-knowledge.controller';
import { AiController } from './ai.controller';
import { ArticlesController } from './articles.controller';

/** Routes served by the knowledge service: article search and reading, AI answers, and their operator API. */
@Module({
  controllers: [ArticlesController, AiController, AdminWorkspaceKnowledgeController, AdminArticlesController],
})
export class KnowledgeGatewayModule {}
