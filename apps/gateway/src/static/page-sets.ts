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
  /** The Content-Security-Policy sent with every file of the set (its pages'; a script or style sheet ignores it). */
  csp: string;
  /** Only in the stack's demo mode (DEMO_MODE=true), never in a production deployment. */
  demoOnly?: boolean;
  /** A page a person may land on: `/` goes to the first such set this gateway serves. */
  home?: boolean;
}

/** dist/<sub> of a workspace package, found the way Node finds the package. */
const distOf = (pkg: string, sub: string) => join(dirname(require.resolve(`${pkg}/package.json`)), 'dist', sub);

/**
 * Where the demo page finds the API: the configured public origin, else this
 * gateway under the loopback name 127.0.0.1 while the stack prints the demo as
 * http://localhost:<PORT>/demo/, so page and frame are different origins, as
 * on a real site. Never the request's Host or X-Forwarded-Host: a forged
 * header must not choose where the page loads its script from.
 */
export function demoApiBase(config: { PUBLIC_ORIGIN: readonly string[]; PORT: number }): string {
  return config.PUBLIC_ORIGIN[0] ?? `http://127.0.0.1:${config.PORT}`;
}

/** The inbox: same-origin only; no inline script or style, no eval; nothing may frame it. */
export const STRICT_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  // blob: attachments, fetched with the operator key (their links need it) and shown as images.
  "img-src 'self' data: blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The loader and the frame's assets are scripts and styles, never documents: nothing at all. */
const ASSET_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** What a careful site sets: script-src 'self' <apiBase>, nothing inline, nothing evaluated; and no page may frame the demo. */
const strictDemoCsp = (api: string) =>
  `default-src 'self'; script-src 'self' ${api}; style-src 'self'; img-src 'self' data:; frame-src ${api}; connect-src 'self' ${api}; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`;

/** The page sets, their policies built once from the configuration (`demoApiBase`). */
export function pageSets(origins: { demoApiBase: string }): PageSet[] {
  const demoCsp = strictDemoCsp(origins.demoApiBase);
  return [
    { prefix: '/widget/v1/', dir: distOf('@widget/sdk', 'loader'), csp: ASSET_CSP },
    { prefix: '/widget/v1/assets/', dir: distOf('@widget/widget', 'frame/assets'), csp: ASSET_CSP },
    { prefix: '/demo/', dir: distOf('@widget/widget', 'demo'), csp: demoCsp, demoOnly: true, home: true },
    { prefix: '/demo/assets/', dir: distOf('@widget/widget', 'demo/assets'), csp: demoCsp, demoOnly: true },
    { prefix: '/inbox/', dir: distOf('@widget/inbox', ''), csp: STRICT_PAGE_CSP, home: true },
  ];
}

/** The frame's HTML template (served by FrameController with a per-widget CSP). */
export const FRAME_HTML = () => join(distOf('@widget/widget', 'frame'), 'frame.html');
