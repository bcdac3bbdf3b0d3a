import { Inject } from '@nestjs/common';

/** The validated, typed configuration of the running app. */
export const CONFIG = Symbol('CONFIG');
export const InjectConfig = () => Inject(CONFIG);
