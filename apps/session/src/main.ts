import { bootstrapApp } from '@widget/common';
import { sessionApp } from './app';

void bootstrapApp(sessionApp);
