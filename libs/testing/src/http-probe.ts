import { request } from 'node:http';

export interface ProbeAnswer {
  status: number;
  body: string;
}

/**
 * One GET over node:http, for readiness probes (`npm run stack`, the test
 * harness). Not fetch: it refuses the Fetch standard's "bad ports" (4045,
 * 5060, 6000, 6665–6669, …) before connecting, and a port derived from PORT or
 * handed out by the OS can be one of them. Rejects with the reason (refused,
 * timed out) so a caller that gives up can say why.
 */
export function probeHttp(url: string, timeoutMs = 2000): Promise<ProbeAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
