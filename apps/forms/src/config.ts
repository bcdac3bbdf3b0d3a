import { loadConfig, serviceEnv } from '@widget/common';
import { z } from 'zod';

export const formsEnv = serviceEnv;
export type FormsConfig = z.infer<typeof formsEnv>;

export const loadFormsConfig = () => loadConfig(formsEnv);
