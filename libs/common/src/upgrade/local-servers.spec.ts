import { createServer, Server } from 'node:http';
import { localServerFor, registerLocalServer } from './local-servers';

const listen = (server: Server, host: string) => new Promise<number>((resolve) => server.listen(0, host, () => resolve((server.address() as { port: number }).port)));
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('localServerFor (the one-process hand-over of realtime upgrades)', () => {
  it('finds a server of this process on a loopback URL of its port, and forgets it once it closes', async () => {
    const server = createServer();
    const port = await listen(server, '127.0.0.1');
    registerLocalServer(server);
    expect(localServerFor(new URL(`http://127.0.0.1:${port}`))).toBe(server);
    expect(localServerFor(new URL(`http://localhost:${port}/widget/v1/realtime/`))).toBe(server);
    await close(server);
    expect(localServerFor(new URL(`http://127.0.0.1:${port}`))).toBeUndefined();
  });

  it('answers nothing for a port of another process, a host that is not loopback, or a server never registered', async () => {
    const registered = createServer();
    const port = await listen(registered, '0.0.0.0');
    registerLocalServer(registered);
    const unregistered = createServer();
    const other = await listen(unregistered, '127.0.0.1');
    try {
      expect(localServerFor(new URL(`http://realtime:${port}`))).toBeUndefined();
      expect(localServerFor(new URL(`http://10.0.0.7:${port}`))).toBeUndefined();
      expect(localServerFor(new URL(`http://127.0.0.1:${other}`))).toBeUndefined();
      expect(localServerFor(new URL(`http://127.0.0.1:${port}`))).toBe(registered);
    } finally {
      await Promise.all([close(registered), close(unregistered)]);
    }
  });
});
