import { z } from 'zod';

/** Behind a load balancer, an ingress or the gateway's relay: take the client address from X-Forwarded-For. */
export const trustProxyEnv = {
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
};

interface RawRequest {
  headers: Record<string, string | string[] | undefined>;
  socket: { remoteAddress?: string };
}

/**
 * The client address of a raw Node request, as fastify's `request.ip` says it:
 * the socket's peer, or with TRUST_PROXY the first X-Forwarded-For hop (which
 * only a proxy that overwrites the header makes trustworthy).
 */
export function clientAddress(req: RawRequest, trustProxy: boolean): string {
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',')[0]?.trim();
  return (trustProxy && first) || (req.socket.remoteAddress ?? '');
}

/**
 * X-Forwarded-For for a request relayed on to another hop: its first hop is
 * `clientAddress(req, trustProxy)`, so the next hop (with TRUST_PROXY) sees the
 * client the relay saw. Without TRUST_PROXY what the client sent is dropped,
 * as a proxy that overwrites the header does.
 */
export function relayedForwardedFor(req: RawRequest, trustProxy: boolean): string {
  const peer = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  if (!trustProxy || !prior) return peer;
  return `${Array.isArray(prior) ? prior.join(', ') : prior}, ${peer}`;
}
