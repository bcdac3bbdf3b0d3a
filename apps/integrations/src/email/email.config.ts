import { z } from 'zod';
import { parseDuration } from './duration';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => parseDuration(v) !== null, 'must be a duration such as 90s, 5m or 1h')
    .transform((v) => parseDuration(v) as number);

const smtpUrl = z
  .string()
  .optional()
  .refine((v) => {
    if (!v) return true;
    try {
      return ['smtp:', 'smtps:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@host:587');

/**
 * The email variables of the integrations service (SPEC §15, docs/email.md),
 * merged into its env schema (src/config.ts). Without SMTP_URL nothing is
 * mailed and nothing waits to be: everything else works as before.
 */
export const emailEnvShape = {
  /** The SMTP server mail leaves through: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. Unset: no email. */
  SMTP_URL: smtpUrl,
  /** The From of every mail, e.g. `Acme Support <support@example.com>`. */
  EMAIL_FROM: z.string().min(3).max(320).default('Support <support@localhost>'),
  /** An agent reply unread this long after it was sent is mailed to the visitor (`90s`, `5m`, …). */
  EMAIL_UNREAD_DELAY: duration('5m'),
  /** Replies come back to `reply+<token>@` this domain (its MX or the site's MTA forwards to EMAIL_INBOUND_PORT). Unset: no Reply-To, no listener. */
  EMAIL_INBOUND_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+\.[a-z0-9-]+$|^localhost$/i, 'must be a domain name, e.g. reply.example.com')
    .optional(),
  /** The SMTP listener for replies (with EMAIL_INBOUND_DOMAIN). */
  EMAIL_INBOUND_PORT: z.coerce.number().int().min(1).max(65535).default(2525),
  /** Where the listener binds. */
  EMAIL_INBOUND_HOST: z.string().min(1).default('0.0.0.0'),
  /** A reply larger than this (bytes, headers and attachments included) is refused at SMTP time. */
  EMAIL_INBOUND_MAX_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  /** The public origin of the API, for the links mails carry (unsubscribe, the inbox), e.g. https://support.example.com. */
  EMAIL_LINK_ORIGIN: z
    .string()
    .url()
    .default('http://localhost:3000')
    .transform((v) => v.replace(/\/$/, '')),
  /** A mail the SMTP server refused or could not take waits this long before its second attempt, doubling up to an hour. */
  EMAIL_RETRY_BASE: duration('30s'),
  /** How often a replica looks for mail and bursts that are due. */
  EMAIL_POLL: duration('1s'),
} as const;

const emailEnv = z.object(emailEnvShape);
export type EmailConfig = z.infer<typeof emailEnv>;
