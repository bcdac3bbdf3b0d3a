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
  /** The Content-Security-Policy of its HTML pages (scripts and styles only from this origin). */
  csp?: string;
  /** Only in the stack's demo mode (DEMO_MODE=true), never in a production deployment. */
  demoOnly?: boolean;
}

/** dist/<sub> of a workspace package, found the way Node finds the package. */
const distOf = (pkg: string, sub: string) => join(dirname(require.resolve(`${pkg}/package.json`)), 'dist', sub);

/** A page of our own origin that embeds the widget: nothing inline, nothing evaluated. */
const STRICT_PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";

export const PAGE_SETS: PageSet[] = [
  { prefix: '/widget/v1/', dir: distOf('@widget/sdk', 'loader') },
  { prefix: '/widget/v1/assets/', dir: distOf('@widget/widget', 'frame/assets') },
  { prefix: '/demo/', dir: distOf('@widget/widget', 'demo'), csp: STRICT_PAGE_CSP, demoOnly: true },
  { prefix: '/demo/assets/', dir: distOf('@widget/widget', 'demo/assets'), demoOnly: true },
];

/** The frame's HTML template (served by FrameController with a per-widget CSP). */
export const FRAME_HTML = () => join(distOf('@widget/widget', 'frame'), 'frame.html');
