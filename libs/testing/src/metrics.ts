/** Reading a process's Prometheus /metrics in tests. */

/** GET `<baseUrl>/metrics` as text; throws unless it answers 200 in the Prometheus text format. */
export async function scrapeMetrics(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (res.status !== 200) throw new Error(`GET ${baseUrl}/metrics answered ${res.status}`);
  if (!/^text\/plain/.test(res.headers.get('content-type') ?? '')) throw new Error(`GET ${baseUrl}/metrics is not text/plain`);
  return res.text();
}

/** The value of one sample, whatever order prom-client writes its labels in; undefined when absent. */
export function metricSample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const line = text
    .split('\n')
    .find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

/**
 * Scrapes until `name` reads `expected` or `timeoutMs` passes (a disconnect or
 * a publish is seen by the server a moment later); returns the last text.
 */
export async function scrapeMetricsUntil(baseUrl: string, name: string, expected: number, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await scrapeMetrics(baseUrl);
    if (metricSample(text, name) === expected || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
}
