import { Inject, Injectable } from '@nestjs/common';
import { AppError, CONFIG, Errors, NatsBus, originAllowed, ownOrigins } from '@widget/common';
import { idOf, SessionContext, SessionRpc } from '@widget/contracts';
import type { RealtimeConfig } from '../config';
import { WidgetDirectory } from './widget-directory';

/** What a socket.io handshake carries that matters here (socket.handshake). */
export interface HandshakeInput {
  headers: Record<string, string | string[] | undefined>;
  auth: Record<string, unknown>;
  query: Record<string, unknown>;
}

export interface Viewer {
  session: SessionContext;
  /** Replay every message after this one before going live (SPEC §10). */
  lastMessageId: string | null;
}

const TOKEN_MAX = 4096;
const messageId = idOf('message');

/** The checks of SPEC §10, in the order the HTTP edge applies them: token, widget, Origin. */
@Injectable()
export class HandshakeService {
  constructor(
    private readonly bus: NatsBus,
    private readonly widgets: WidgetDirectory,
    @Inject(CONFIG) private readonly config: RealtimeConfig,
  ) {}

  async authenticate(handshake: HandshakeInput): Promise<Viewer> {
    const token = readToken(handshake);
    const lastMessageId = readLastMessageId(handshake);
    const session = await this.bus.send(SessionRpc.authenticateRealtime, { token });
    const widget = await this.widgets.get(session.widgetId);
    if (!widget.enabled) throw Errors.widgetDisabled();
    // Everything pushed here is conversation traffic.
    if (!widget.features.conversations) throw Errors.widgetDisabled('feature_disabled');
    const origin = single(handshake.headers.origin);
    if (!origin) throw Errors.invalidOrigin('origin_missing');
    // The widget's allow-list, or the API's own public origin (the frame's sockets, SPEC §12).
    const host = single(handshake.headers['x-forwarded-host']) ?? single(handshake.headers.host);
    const scheme = single(handshake.headers['x-forwarded-proto']) ?? 'http';
    const own = ownOrigins(this.config.PUBLIC_ORIGIN, scheme, host);
    if (!originAllowed(origin, widget.allowedOrigins) && !originAllowed(origin, own)) throw Errors.invalidOrigin('origin_not_allowed');
    return { session, lastMessageId };
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function readToken(handshake: HandshakeInput): string {
  const raw = handshake.auth.token ?? handshake.query.session_token;
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
    throw new AppError('auth_required', 'Send a realtime or session token as auth.token.', { reason: 'missing_token' });
  }
  if (typeof raw !== 'string' || raw.length > TOKEN_MAX) throw Errors.invalidToken('malformed');
  return raw;
}

function readLastMessageId(handshake: HandshakeInput): string | null {
  const raw = handshake.auth.lastMessageId ?? handshake.auth.since ?? handshake.query.lastMessageId ?? handshake.query.since;
  if (raw === undefined || raw === null || raw === '') return null;
  const parsed = messageId.safeParse(raw);
  if (!parsed.success) {
    throw Errors.validation([{ field: 'auth.lastMessageId', reason: parsed.error.issues[0]?.message ?? 'must be a msg_ id' }]);
  }
  return parsed.data;
}
