import { bootstrapService } from '@widget/common';
import { loadFormsConfig } from './config';
import { FormsModule } from './forms.module';
import { FORMS_ENTITIES } from './persistence/entities';
import { FORMS_MIGRATIONS } from './persistence/migrations';

void bootstrapService({
  name: 'forms',
  loadConfig: loadFormsConfig,
  database: (config) => ({
    url: config.DATABASE_URL,
    schema: 'forms',
    entities: FORMS_ENTITIES,
    migrations: FORMS_MIGRATIONS,
    poolSize: config.DATABASE_POOL_SIZE,
  }),
  module: FormsModule,
});
