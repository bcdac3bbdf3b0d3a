import { bootstrapApp } from '@widget/common';
import { eventsApp } from './app';

void bootstrapApp(eventsApp);
