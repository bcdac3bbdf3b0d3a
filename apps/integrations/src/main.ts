import { bootstrapApp } from '@widget/common';
import { integrationsApp } from './app';

void bootstrapApp(integrationsApp);
