import { Inject, Injectable } from '@nestjs/common';
import { AppError, clientAddress, CONFIG, Errors, Limiter, NatsBus, originAllowed, ownOrigins } from '@widget/common';
import { lastMessageIdSchema, OPERATOR_REALTIME_TOKEN_PREFIX, SessionRpc } from '@widget/contracts';
import type { IncomingMessage } from 'node:http';
import type { RealtimeConfig } from '../config';
import type { Viewer } from '../core/viewer';
import { visitorRefusal } from '../core/viewer';
import { WidgetDirectory } from './widget-directory';

/** What either codec read from its handshake (socket.io `auth`/query, or the plain WebSocket's query). */
export interface HandshakeInput {
  /** The handshake's HTTP request: its client address is charged before anything else. */
  request: Pick<IncomingMessage, 'headers' | 'socket'>;
  origin: string | undefined;
  token: unknown;
  lastMessageId: unknown;
  /** Names the field in validation errors: `auth.lastMessageId` or `last_message_id`. */
  lastMessageIdField: string;
  /** The Host the browser used (X-Forwarded-Host from the gateway, else Host) and its scheme: the API's own origin. */
  host?: string;
  scheme?: string;
  /** Sec-Fetch-Site: same-origin (see authenticate). */
  sameOrigin?: boolean;
}

export interface Admission {
  viewer: Viewer;
  /** Replay every message after this one before going live (SPEC §10). */
  lastMessageId: string | null;
}

const TOKEN_MAX = 4096;

/** The bucket of RATE_LIMIT_ADDRESS_REALTIME (its Redis key name, once also charged by the gateway's relay). */
export const HANDSHAKE_LIMIT = 'addressRealtime';

/**
 * The checks of SPEC §10 for both protocols, in the order the HTTP edge applies
 * them: the client address's budget of new connections (RATE_LIMIT_ADDRESS_REALTIME,
 * before any token is looked up, so a flood of made-up tokens costs the session
 * service nothing once it is spent), token, widget, Origin. An operator token
 * (`wot_…`) names a workspace and has no widget, hence no Origin rule (docs/realtime.md).
 */
@Injectable()
export class HandshakeService {
  constructor(
    private readonly bus: NatsBus,
    private readonly widgets: WidgetDirectory,
    private readonly limiter: Limiter<typeof HANDSHAKE_LIMIT>,
    @Inject(CONFIG) private readonly config: RealtimeConfig,
  ) {}

  async authenticate(input: HandshakeInput): Promise<Admission> {
    await this.limiter.consume(HANDSHAKE_LIMIT, clientAddress(input.request, this.config.TRUST_PROXY));
    const token = readToken(input.token);
    const lastMessageId = readLastMessageId(input.lastMessageId, input.lastMessageIdField);
    if (token.startsWith(`${OPERATOR_REALTIME_TOKEN_PREFIX}_`)) {
      const operator = await this.bus.send(SessionRpc.authenticateOperatorRealtime, { token });
      return { viewer: { kind: 'operator', operator }, lastMessageId };
    }
    const session = await this.bus.send(SessionRpc.authenticateRealtime, { token });
    // Besides the widget's allow-list: the API's own public origin, where the widget frame runs (SPEC §12).
    const own = ownOrigins(this.config.PUBLIC_ORIGIN, input.scheme ?? 'http', input.host);
    // A browser sends no Origin on a same-origin GET, which is what socket.io's long-polling handshake from the
    // widget frame is; Sec-Fetch-Site then says it came from the API's own origin. A WebSocket always sends Origin.
    const origin = input.origin ?? (input.sameOrigin ? own[0] : undefined);
    const ownOrigin = originAllowed(origin, own);
    const refusal = visitorRefusal(await this.widgets.get(session.widgetId), session, origin, ownOrigin);
    if (refusal) throw refusal;
    return { viewer: { kind: 'visitor', session, origin, ownOrigin }, lastMessageId };
  }
}

function readToken(raw: unknown): string {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
    throw new AppError('auth_required', 'Send a realtime or session token (socket.io: auth.token; plain WebSocket: ?session_token=).', {
      reason: 'missing_token',
    });
  }
  if (typeof raw !== 'string' || raw.length > TOKEN_MAX) throw Errors.invalidToken('malformed');
  return raw;
}

function readLastMessageId(raw: unknown, field: string): string | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const parsed = lastMessageIdSchema.safeParse(raw);
  if (!parsed.success) throw Errors.validation([{ field, reason: parsed.error.issues[0]?.message ?? 'must be a msg_ id' }]);
  return parsed.data;
}
