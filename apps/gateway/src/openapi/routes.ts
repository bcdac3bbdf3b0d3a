import { REALTIME_PATH } from '@widget/contracts';

/*
 * The documented routes are the route table of libs/contracts (ROUTES, ROUTE_LIST: libs/contracts/src/routes.ts);
 * test/openapi.e2e-spec.ts compares it with every route the gateway registers.
 */

/**
 * Routes the gateway serves that are not JSON API routes, so not in the
 * document: probes, metrics, CORS preflight, static files. Add a static route
 * (widget.js, frame, demo…) here, one pattern a line.
 */
export const UNDOCUMENTED_ROUTES: RegExp[] = [
  /^(GET|HEAD) \/health\//,
  /^OPTIONS /,
  /^\w+ \/widget\/v1\/realtime(\/\*)?$/, // the realtime proxy (socket.io and plain WebSocket): docs/realtime.md
  /^HEAD /, // fastify adds HEAD beside every GET
  // The realtime proxy (socket.io polling and upgrades, the plain WebSocket): a socket endpoint, described in docs/realtime.md.
  new RegExp(`^[A-Z]+ ${REALTIME_PATH}(/\\*)?$`),
  // The browser face (apps/gateway/src/static): the loader, the frame and its assets, the demo site; not JSON APIs.
  /^GET \/widget\/v1\/(widget(\.[0-9a-f]{12})?\.js|frame|assets\/[^/]+)$/,
  /^(GET|POST) \/demo(\/|$)/,
  /^GET \/inbox(\/|$)/, // the inbox page (apps/inbox), a page set
  /^GET \/(favicon\.ico)?$/, // the root (a redirect to the demo or the inbox) and the browsers' favicon request
];
