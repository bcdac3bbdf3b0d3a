type Headers = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();

/** The host and scheme the browser connected to: the gateway forwards them (X-Forwarded-Host/-Proto); direct, the Host header. */
export function publicHostOf(headers: Headers): { host?: string; scheme?: string } {
  return { host: first(headers['x-forwarded-host']) ?? first(headers.host), scheme: first(headers['x-forwarded-proto']) ?? 'http' };
}
