import { bootstrapApp } from '@widget/common';
import { conversationApp } from './app';

void bootstrapApp(conversationApp);
