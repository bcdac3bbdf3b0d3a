import { bootstrapApp } from '@widget/common';
import { realtimeApp } from './app';

void bootstrapApp(realtimeApp);
