import { dirname, join } from 'node:path';

/**
 * The browser page sets the gateway serves, each a built dist/ folder with
 * content-hashed assets. A new page set (the agents' inbox at /inbox/) is one
 * more line here.
 */
export interface PageSet {
  /** URL prefix, ending in '/'. `prefix` itself serves index.html when there is one. */
  prefix: string;
  dir: string;
  /** The Content-Security-Policy of its HTML pages, from the request's own origin. */
  csp?: (request: { protocol: string; host: string }) => string;
  /** Only in the stack's demo mode (DEMO_MODE=true), never in a production deployment. */
  demoOnly?: boolean;
  /** A page a person may land on: `/` goes to the first such set this gateway serves. */
  home?: boolean;
}

/** dist/<sub> of a workspace package, found the way Node finds the package. */
const distOf = (pkg: string, sub: string) => join(dirname(require.resolve(`${pkg}/package.json`)), 'dist', sub);

/**
 * The demo page plays a customer's site: it talks to the API under the other
 * loopback name (localhost ↔ 127.0.0.1), so page and frame are different
 * origins, as on a real site. A real host name maps to itself.
 */
export function demoApiBase(request: { protocol: string; host: string }): string {
  const url = new URL(`${request.protocol}://${request.host}`);
  if (url.hostname === 'localhost') url.hostname = '127.0.0.1';
  else if (url.hostname === '127.0.0.1') url.hostname = 'localhost';
  return url.origin;
}

/** The inbox: same-origin only; no inline script or style, no eval; nothing may frame it. */
export const STRICT_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** What a careful site sets: script-src 'self' <apiBase>, nothing inline, nothing evaluated. */
const strictDemoCsp = (request: { protocol: string; host: string }) => {
  const api = demoApiBase(request);
  return `default-src 'self'; script-src 'self' ${api}; style-src 'self'; img-src 'self' data:; frame-src ${api}; connect-src 'self' ${api}; object-src 'none'; base-uri 'none'; form-action 'self'`;
};

export const PAGE_SETS: PageSet[] = [
  { prefix: '/widget/v1/', dir: distOf('@widget/sdk', 'loader') },
  { prefix: '/widget/v1/assets/', dir: distOf('@widget/widget', 'frame/assets') },
  { prefix: '/demo/', dir: distOf('@widget/widget', 'demo'), csp: strictDemoCsp, demoOnly: true, home: true },
  { prefix: '/demo/assets/', dir: distOf('@widget/widget', 'demo/assets'), demoOnly: true },
  { prefix: '/inbox/', dir: distOf('@widget/inbox', ''), csp: () => STRICT_PAGE_CSP, home: true },
];

/** The frame's HTML template (served by FrameController with a per-widget CSP). */
export const FRAME_HTML = () => join(distOf('@widget/widget', 'frame'), 'frame.html');
