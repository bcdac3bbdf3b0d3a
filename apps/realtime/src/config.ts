import { baseEnv, limitStoreEnv, loadConfig, portEnv, realtimeLimitEnv, realtimeTokenSecretEnv, trustProxyEnv } from '@widget/common';
import { z } from 'zod';

export const realtimeEnv = baseEnv.extend({
  /** One port for socket.io and the probes: the gateway proxies the public path here. */
  PORT: portEnv(3001),
  HOST: z.string().default('0.0.0.0'),
  /**
   * Connections the kernel holds for this process to accept. Past it, a reconnect storm's connection attempts are
   * dropped unanswered and the client's TCP stack tries again only after 1, 3, 7… s; the kernel caps it at
   * net.core.somaxconn (docs/limits.md).
   */
  LISTEN_BACKLOG: z.coerce.number().int().min(1).max(65_535).default(4096),
  /** Widget allow-lists and switches are cached this long (and dropped on `session.widget.updated`). */
  WIDGET_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(30_000),
  /** Upper bound of messages replayed on one reconnect; a client further behind pages with GET …/messages?after=. */
  REPLAY_MAX_MESSAGES: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** socket.io heartbeat: a dead peer is noticed within interval + timeout. */
  PING_INTERVAL_MS: z.coerce.number().int().min(1000).max(120_000).default(25_000),
  PING_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(20_000),
  /**
   * Presence (SPEC §14): this replica reports its operator sockets to the team service on every change and at least
   * this often; a report counts for three periods, so a crashed replica's sockets stop counting within that.
   */
  PRESENCE_HEARTBEAT_MS: z.coerce.number().int().min(200).max(120_000).default(10_000),
  /** Largest client frame (typing events are tiny). */
  /** The API's public origin(s), comma-separated; unset: the origin of the handshake's (forwarded) Host. See docs/api.md. */
  PUBLIC_ORIGIN: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim().replace(/\/$/, '')).filter(Boolean) : [])),
  MAX_FRAME_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024).default(16 * 1024),
  /** Verifies the session service's signed realtime tokens without asking it (the same secret; docs/realtime.md). */
  ...realtimeTokenSecretEnv,
  /**
   * Handshakes being checked at once; past it a handshake is refused at once with 503 server_busy (recoverable,
   * the SDK backs off with jitter) instead of queueing (docs/limits.md).
   */
  REALTIME_HANDSHAKES_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(256),
  /** No handshake waits longer: past it, it is refused with 503 server_busy like one over the cap. */
  REALTIME_HANDSHAKE_TIMEOUT_MS: z.coerce.number().int().min(100).max(10_000).default(2000),
  /**
   * The rate at which handshakes refused as server_busy are given their turns (`retryAfter`, AdmissionPacer): about
   * what one process admits in a reconnect storm (docs/limits.md, "Handshakes in flight").
   */
  REALTIME_ADMISSIONS_PER_SECOND: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** RATE_LIMIT_ADDRESS_REALTIME, charged here to the client address before a token is looked up (docs/limits.md). */
  ...limitStoreEnv,
  ...realtimeLimitEnv,
  /** The client address of a handshake: with TRUST_PROXY, the first X-Forwarded-For hop (the gateway's relay, an ingress). */
  ...trustProxyEnv,
});
export type RealtimeConfig = z.infer<typeof realtimeEnv>;

export const loadRealtimeConfig = () => loadConfig(realtimeEnv);
