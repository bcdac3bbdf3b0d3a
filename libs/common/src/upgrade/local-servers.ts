import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The HTTP servers listening in this process, by port (the process kit
 * registers every app's). In the one-process mode (TARGET=all) the gateway
 * hands a realtime upgrade to realtime's own server found here instead of
 * dialling it over loopback and copying every frame between two sockets: one
 * socket per client instead of three, and no relay hop per event.
 */
const listening = new Map<number, { server: Server; reachable: boolean }>();

const isLoopback = (host: string) => host === 'localhost' || host.startsWith('127.') || host === '::1' || host === '[::1]';
const isWildcard = (host: string) => host === '0.0.0.0' || host === '::';

/** Records a listening server of this process (and whether loopback reaches it); it is forgotten once it closes. */
export function registerLocalServer(server: Server): void {
  const address = server.address() as AddressInfo | string | null;
  if (!address || typeof address === 'string') return;
  listening.set(address.port, { server, reachable: isLoopback(address.address) || isWildcard(address.address) });
  server.once('close', () => {
    if (listening.get(address.port)?.server === server) listening.delete(address.port);
  });
}

/**
 * The server of this process that `url` names, if any: a loopback host, and a
 * port this process listens on (on loopback or every address) and still
 * accepts on. A port bound here cannot be another process's, so nothing else
 * can answer that URL.
 */
export function localServerFor(url: URL): Server | undefined {
  if (!isLoopback(url.hostname)) return undefined;
  const local = listening.get(Number(url.port || (url.protocol === 'https:' ? 443 : 80)));
  return local?.reachable && local.server.listening ? local.server : undefined;
}
