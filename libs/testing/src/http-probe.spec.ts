import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { probeHttp } from './http-probe';

/** The Fetch standard's bad ports a stack's derived ports can land on (PORT=3941: forms' health port is 4045). */
const BAD_PORTS = [4045, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6697, 10080];

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** The first free bad port; none free is a failure, not a skip (a check must fail when it finds nothing to check). */
async function listenOnABadPort(server: Server): Promise<number> {
  for (const port of BAD_PORTS) {
    try {
      return await listen(server, port);
    } catch {
      // taken: the next one
    }
  }
  throw new Error(`every one of ${BAD_PORTS.join(', ')} is taken here`);
}

describe('probeHttp', () => {
  const servers: Server[] = [];
  afterEach(() =>
    Promise.all(
      servers.splice(0).map((s) => {
        s.closeAllConnections();
        return new Promise((r) => s.close(r));
      }),
    ),
  );

  it('reaches a server on a port fetch refuses before connecting', async () => {
    const server = createServer((_req, res) => res.end('{"service":"forms"}'));
    servers.push(server);
    const url = `http://127.0.0.1:${await listenOnABadPort(server)}/health/ready`;
    await expect(fetch(url)).rejects.toMatchObject({ cause: { message: 'bad port' } });
    await expect(probeHttp(url)).resolves.toEqual({ status: 200, body: '{"service":"forms"}' });
  });

  it('answers any status, and rejects with the reason when nothing answers', async () => {
    const starting = createServer((_req, res) => res.writeHead(503).end('starting'));
    const silent = createServer(() => undefined);
    servers.push(starting, silent);
    await expect(probeHttp(`http://127.0.0.1:${await listen(starting, 0)}/`)).resolves.toEqual({ status: 503, body: 'starting' });
    await expect(probeHttp(`http://127.0.0.1:${await listen(silent, 0)}/`, 200)).rejects.toThrow('no answer within 200 ms');
    await expect(probeHttp('http://127.0.0.1:1/')).rejects.toThrow(/ECONNREFUSED/);
  });
});
