import { serviceApp } from '@widget/common';
import { formsEnv } from './config';
import { FormsModule } from './forms.module';
import { FORMS_ENTITIES } from './persistence/entities';
import { FORMS_MIGRATIONS } from './persistence/migrations';

/** The forms service as the process kit runs it: alone (main.ts) or with every other app in one process (apps/server). */
export const formsApp = serviceApp({
  name: 'forms',
  config: formsEnv,
  database: { entities: FORMS_ENTITIES, migrations: FORMS_MIGRATIONS },
  module: FormsModule,
});
