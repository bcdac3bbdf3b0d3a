import { bootstrapApp } from '@widget/common';
import { formsApp } from './app';

void bootstrapApp(formsApp);
