import { baseEnv, loadConfig, portEnv, secretEnv, trustProxyEnv, urlEnv } from '@widget/common';
import { SERVICE_NAMES, ServiceName } from '@widget/contracts';
import { z } from 'zod';
import { parseAttachmentTypes } from './attachments/file-checks';
import { limitsEnv } from './limits/limits.config';
import { oidcEnv, oidcProblems } from './sso/oidc.config';

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true');

export const gatewayEnv = baseEnv.extend({
  PORT: portEnv(3000),
  HOST: z.string().default('0.0.0.0'),
  /** The internal port of /metrics and the probes (never routed publicly); unset, the gateway serves no /metrics. */
  HEALTH_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  ADMIN_API_KEY: secretEnv(
    z.string({ required_error: 'is required (a long random string for the operator API: `openssl rand -hex 32`)' }).min(24, 'must be at least 24 characters (`openssl rand -hex 32`)'),
    { generate: '`openssl rand -hex 32`' },
  ),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
  SESSION_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(30_000),
  WIDGET_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(30_000),
  ...limitsEnv,
  /** A request (headers and body) not received within this many ms is answered 408 and its connection closed. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** The header block alone must arrive within this many ms (at most HTTP_REQUEST_TIMEOUT_MS). */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(10_000),
  /** An idle keep-alive connection is closed after this many ms. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(72_000),
  /** After a 413 the connection keeps reading (and discarding) for this long, so a client still uploading hears the answer. */
  HTTP_LINGER_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  /** The services whose answer to a ping makes the gateway ready. */
  GATEWAY_UPSTREAMS: z
    .string()
    .default(SERVICE_NAMES.join(','))
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.enum(SERVICE_NAMES as [ServiceName, ...ServiceName[]]))),
  /** Behind a load balancer or ingress: take the client address from X-Forwarded-For. */
  ...trustProxyEnv,
  /** The realtime service (socket.io); when set, /widget/v1/realtime and its upgrades are proxied there. */
  REALTIME_URL: urlEnv(['http:', 'https:']).optional(),
  /**
   * The API's public origin(s), comma-separated (e.g. https://support.example.com), accepted as
   * the Origin of widget requests besides each widget's allow-list: the frame at /widget/v1/frame
   * runs on this origin (SPEC §12). Unset: the origin of the request's own Host header.
   */
  PUBLIC_ORIGIN: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim().replace(/\/$/, '')).filter(Boolean) : [])),
  /** The largest attachment accepted, in bytes (attachment_too_large beyond, answered while the client still sends). */
  ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1).max(1024 * 1024 * 1024).default(10 * 1024 * 1024),
  /** Uploads streamed through this replica at once; later ones wait unread (TCP holds their bytes at the client). */
  ATTACHMENT_UPLOADS_IN_FLIGHT: z.coerce.number().int().min(1).max(1000).default(4),
  /** The attachment types accepted, by sniffed content: any of png, jpeg, gif, webp, pdf, text (unsupported_file_type otherwise). */
  ATTACHMENT_TYPES: z
    .string()
    .default('png,jpeg,gif,webp,pdf,text')
    .superRefine((v, ctx) => {
      try {
        parseAttachmentTypes(v);
      } catch (err) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message });
      }
    }),
  /** The stack's demo mode: /demo/ and its identity-token endpoint. Refused with NODE_ENV=production. */
  DEMO_MODE: bool(false),
  /** The seed JSON of `npm run stack` ({ workspaceId, widgetId, widgetSecret }), read by the demo endpoints. */
  DEMO_SEED_FILE: z.string().default('.stack/seed.json'),
  ...oidcEnv,
}).refine((env) => !(env.DEMO_MODE && env.NODE_ENV === 'production'), {
  // The demo token endpoint signs identity tokens for anyone who asks: a production deployment must not have it.
  message: 'must not be true with NODE_ENV=production (/demo/identity-token signs identity tokens for anyone)',
  path: ['DEMO_MODE'],
}).superRefine(oidcProblems);
export type GatewayConfig = z.infer<typeof gatewayEnv>;

export const loadGatewayConfig = () => loadConfig(gatewayEnv);
