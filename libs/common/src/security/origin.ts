/**
 * Origin allow-listing. An origin matches a pattern when scheme, host and port
 * are equal; a pattern's host may start with `*.`, which stands for exactly
 * one DNS label (so `https://*.example.com` matches `https://a.example.com`,
 * not `https://example.com`, `https://a.b.example.com`, nor
 * `https://a.example.com.evil.test`).
 */
interface ParsedOrigin {
  scheme: string;
  host: string;
  port: string;
}

const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** Parsed origins and patterns; a widget sees few distinct ones, and URL parsing showed in the gateway's profile. */
const parsed = new Map<string, ParsedOrigin | null>();
const PARSED_MAX = 1000;

function parseOrigin(value: string): ParsedOrigin | null {
  let hit = parsed.get(value);
  if (hit === undefined) {
    if (parsed.size >= PARSED_MAX) parsed.clear();
    hit = parseOriginUncached(value);
    parsed.set(value, hit);
  }
  return hit;
}

function parseOriginUncached(value: string): ParsedOrigin | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (!(url.protocol in DEFAULT_PORT)) return null;
  // An origin has no path, query, fragment or credentials.
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) return null;
  if (value.endsWith('/')) return null;
  return { scheme: url.protocol, host: url.hostname.toLowerCase(), port: url.port || DEFAULT_PORT[url.protocol] };
}

const WILDCARD = /^(https?:\/\/)\*\./i;

export function originMatches(origin: string, pattern: string): boolean {
  const o = parseOrigin(origin);
  if (!o) return false;
  const wildcard = WILDCARD.exec(pattern);
  const p = parseOrigin(wildcard ? pattern.replace('*.', 'wildcard-label.') : pattern);
  if (!p || p.scheme !== o.scheme || p.port !== o.port) return false;
  if (!wildcard) return p.host === o.host;
  const suffix = p.host.slice('wildcard-label'.length); // ".example.com"
  if (!o.host.endsWith(suffix)) return false;
  const label = o.host.slice(0, o.host.length - suffix.length);
  return /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label);
}

export function originAllowed(origin: string | undefined, patterns: readonly string[]): boolean {
  if (!origin || origin === 'null') return false;
  return patterns.some((pattern) => originMatches(origin, pattern));
}

/**
 * The CSP `frame-ancestors` sources that allow exactly what `originAllowed(…, patterns)` allows.
 * A CSP `*.` matches subdomains at any depth, so a wildcard pattern is never passed on: the
 * embedding page's origin (`embedder`, which the SDK reports) stands in for it when a pattern
 * allows it. A page that names another origin gains nothing: the browser checks its real one.
 */
export function frameAncestorSources(patterns: readonly string[], embedder?: string): string[] {
  const sources = new Set<string>();
  for (const pattern of patterns) {
    const exact = WILDCARD.test(pattern) ? null : canonicalOrigin(pattern);
    if (exact) sources.add(exact);
  }
  const own = embedder && originAllowed(embedder, patterns) ? canonicalOrigin(embedder) : null;
  if (own) sources.add(own);
  return [...sources];
}

/** scheme://host[:port], lower case, the default port left out; null for anything that is not an origin. */
function canonicalOrigin(value: string): string | null {
  const o = parseOrigin(value);
  if (!o) return null;
  return o.port === DEFAULT_PORT[o.scheme] ? `${o.scheme}//${o.host}` : `${o.scheme}//${o.host}:${o.port}`;
}

/**
 * The API's own public origin(s) (SPEC §12: the frame runs there, so its
 * requests carry it): PUBLIC_ORIGIN when configured, else the origin of the
 * Host the request was sent to. A browser cannot forge either for another
 * site's page, which is all an Origin check defends against.
 */
export function ownOrigins(publicOrigins: readonly string[], scheme: string, host: string | undefined): readonly string[] {
  if (publicOrigins.length) return publicOrigins;
  return host ? [`${scheme}://${host}`] : [];
}
