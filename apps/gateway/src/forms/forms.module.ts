import { Module } from '@nestjs/common';
import { AdminFormsController } from './admin-forms.controller';
import { FormsController } from './forms.controller';

/** Routes served by the forms service. */
@Module({ controllers: [FormsController, AdminFormsController] })
export class FormsGatewayModule {}
