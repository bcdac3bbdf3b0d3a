type Headers = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();

/**
 * The host and scheme the browser connected to: the gateway forwards them (X-Forwarded-Host/-Proto); direct, the
 * Host header. `sameOrigin`: the browser says (Sec-Fetch-Site) that a page of that very origin made the request.
 */
export function publicHostOf(headers: Headers): { host?: string; scheme?: string; sameOrigin: boolean } {
  return {
    host: first(headers['x-forwarded-host']) ?? first(headers.host),
    scheme: first(headers['x-forwarded-proto']) ?? 'http',
    sameOrigin: first(headers['sec-fetch-site']) === 'same-origin',
  };
}
