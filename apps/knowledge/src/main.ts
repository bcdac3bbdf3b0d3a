import { bootstrapApp } from '@widget/common';
import { knowledgeApp } from './app';

void bootstrapApp(knowledgeApp);
