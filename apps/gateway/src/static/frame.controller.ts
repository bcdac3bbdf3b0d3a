import { Get, Header, Query, Res } from '@nestjs/common';
import { frameAncestorSources, NatsBus } from '@widget/common';
import { frameQuery, SessionRpc } from '@widget/contracts';
import type { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Auth } from '../auth/request-state';
import { WidgetDirectory } from '../auth/widget-directory';
import { WidgetController } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';
import { FRAME_HTML } from './page-sets';

let template: Buffer | null = null;
const frameHtml = () => (template ??= readFileSync(FRAME_HTML()));

/**
 * GET /widget/v1/frame: the chat UI's HTML (SPEC §12). Its CSP runs only our
 * own script and style, connects only to this origin, and lets only the
 * widget's allowed origins embed it (frame-ancestors): this replaces the
 * Origin check for the requests the frame makes with the API's own origin.
 * A wildcard pattern is not passed on (CSP's `*.` matches any depth): the
 * embedding page's origin, which the SDK sends as `host_origin`, is named
 * instead when the widget allows it, as the API's own matcher decides.
 */
@WidgetController()
export class FrameController {
  constructor(
    private readonly bus: NatsBus,
    private readonly widgets: WidgetDirectory,
  ) {}

  @Get('frame')
  @Auth('none')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Referrer-Policy', 'no-referrer')
  async frame(@Query(new ZodPipe(frameQuery)) query: z.infer<typeof frameQuery>, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    // The pair must name a real widget of that workspace (not_found otherwise), as GET /config does.
    await this.bus.send(SessionRpc.publicConfig, { workspaceId: query.workspace_id, widgetId: query.widget_id });
    const widget = await this.widgets.get(query.widget_id);
    void reply.header('Content-Security-Policy', frameCsp(frameAncestorSources(widget.allowedOrigins, query.host_origin)));
    return frameHtml();
  }
}

export function frameCsp(ancestorSources: readonly string[]): string {
  const ancestors = ancestorSources.length ? ancestorSources.join(' ') : "'none'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    // blob: the attachments the frame fetched with the session's token (their links need it), shown as images.
    "img-src 'self' data: https: blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');
}
