import { ROUTES } from '@widget/contracts';
import { Access } from '../auth/access';
import { AdminController, Route, WidgetController } from '../http/route-decorators';
import { buildOpenApi } from './document';

const VERSION = '1.0.0';

/** Built once per process. */
const documents = { widget: buildOpenApi('widget', VERSION), admin: buildOpenApi('admin', VERSION) };

/** GET /widget/v1/openapi.json: public. */
@WidgetController()
export class OpenApiController {
  @Route(ROUTES.widget.getOpenApi)
  widget(): Record<string, unknown> {
    return documents.widget;
  }
}

/** GET /admin/v1/openapi.json: public. */
@AdminController()
export class AdminOpenApiController {
  @Route(ROUTES.admin.getOpenApi)
  @Access.public()
  admin(): Record<string, unknown> {
    return documents.admin;
  }
}
