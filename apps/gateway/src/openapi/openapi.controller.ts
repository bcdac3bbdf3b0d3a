import { Controller, Get } from '@nestjs/common';
import { ADMIN_BASE, WIDGET_BASE } from '../http/route-decorators';
import { buildOpenApi } from './document';

const VERSION = '1.0.0';

/** GET /widget/v1/openapi.json and /admin/v1/openapi.json: public, built once per process. */
@Controller()
export class OpenApiController {
  private readonly documents = { widget: buildOpenApi('widget', VERSION), admin: buildOpenApi('admin', VERSION) };

  @Get(`${WIDGET_BASE}/openapi.json`)
  widget(): Record<string, unknown> {
    return this.documents.widget;
  }

  @Get(`${ADMIN_BASE}/openapi.json`)
  admin(): Record<string, unknown> {
    return this.documents.admin;
  }
}
