import { bootstrapApp } from '@widget/common';
import { teamApp } from './app';

void bootstrapApp(teamApp);
