import { Inject, Injectable } from '@nestjs/common';
import { AppError, clientAddress, CONFIG, Errors, Limiter, Metrics, NatsBus, originAllowed, outcomeOf, ownOrigins, RealtimeTokens } from '@widget/common';
import { lastMessageIdSchema, OPERATOR_REALTIME_TOKEN_PREFIX, OperatorContext, SessionContext, SessionRpc } from '@widget/contracts';
import type { IncomingMessage } from 'node:http';
import type { RealtimeConfig } from '../config';
import type { Viewer } from '../core/viewer';
import { visitorRefusal } from '../core/viewer';
import { AdmissionPacer } from './admission-pacer';
import { Revocations } from './revocations';
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
/** A refused handshake's turn is never sooner (the burst that filled the cap is being worked off) nor later than this. */
const PACED_MIN_DELAY_MS = 500;
const PACED_MAX_DELAY_MS = 60_000;

/** The bucket of RATE_LIMIT_ADDRESS_REALTIME (its Redis key name, once also charged by the gateway's relay). */
export const HANDSHAKE_LIMIT = 'addressRealtime';

/**
 * The checks of SPEC §10 for both protocols, in the order the HTTP edge applies
 * them: the cap on handshakes in flight (REALTIME_HANDSHAKES_IN_FLIGHT: past it a
 * fast 503 server_busy with the client's turn as `retryAfter`, never a queue), the client address's budget of new
 * connections (RATE_LIMIT_ADDRESS_REALTIME, before any token is read), token,
 * widget, Origin. A signed realtime token (`wrt_`, `wot_`) is verified here, with
 * the revocations this replica heard; only a session token (`wst_`) is still
 * looked up in the session service. An operator token names a workspace and has
 * no widget, hence no Origin rule (docs/realtime.md).
 */
@Injectable()
export class HandshakeService {
  private readonly tokens: RealtimeTokens;
  private readonly pacer: AdmissionPacer;
  private inFlight = 0;

  constructor(
    private readonly bus: NatsBus,
    private readonly widgets: WidgetDirectory,
    private readonly limiter: Limiter<typeof HANDSHAKE_LIMIT>,
    private readonly revocations: Revocations,
    private readonly metrics: Metrics,
    @Inject(CONFIG) private readonly config: RealtimeConfig,
  ) {
    this.tokens = new RealtimeTokens(config.REALTIME_TOKEN_SECRET, config.REALTIME_TOKEN_SECRET_PREVIOUS);
    this.pacer = new AdmissionPacer(config.REALTIME_ADMISSIONS_PER_SECOND, PACED_MIN_DELAY_MS, PACED_MAX_DELAY_MS);
  }

  /** Handshakes being checked now (the gauge of the cap). */
  get pending(): number {
    return this.inFlight;
  }

  /** Observed as the `handshake` socket event (realtime_socket_event_duration_seconds), by outcome. */
  async authenticate(input: HandshakeInput): Promise<Admission> {
    const started = process.hrtime.bigint();
    let outcome = 'ok';
    try {
      return await this.admit(input);
    } catch (err) {
      // A busy refusal's code is internal_error (SPEC §3's 503); its reason is what an operator needs to see.
      outcome = err instanceof AppError && err.reason === 'server_busy' ? 'server_busy' : outcomeOf(err);
      throw err;
    } finally {
      this.metrics.observeSocketEvent('handshake', outcome, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private async admit(input: HandshakeInput): Promise<Admission> {
    if (this.inFlight >= this.config.REALTIME_HANDSHAKES_IN_FLIGHT) throw Errors.serverBusy(this.pacer.turn());
    this.inFlight++;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Errors.serverBusy(this.pacer.turn())), this.config.REALTIME_HANDSHAKE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.check(input), deadline]);
    } finally {
      clearTimeout(timer);
      this.inFlight--;
    }
  }

  private async check(input: HandshakeInput): Promise<Admission> {
    await this.limiter.consume(HANDSHAKE_LIMIT, clientAddress(input.request, this.config.TRUST_PROXY));
    const token = readToken(input.token);
    const lastMessageId = readLastMessageId(input.lastMessageId, input.lastMessageIdField);
    if (token.startsWith(`${OPERATOR_REALTIME_TOKEN_PREFIX}_`)) return { viewer: { kind: 'operator', operator: await this.operator(token) }, lastMessageId };
    const session = await this.visitor(token);
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

  private async operator(token: string): Promise<OperatorContext> {
    const verified = await this.tokens.verify(token);
    if (verified.kind !== 'operator') throw Errors.invalidToken('wrong_audience');
    // Removed, demoted, or a revoked key (SPEC §14): what was minted before is refused; a new token is not.
    if (this.revocations.principalRevoked(verified.operator.principal.id, verified.issuedAtMs)) throw Errors.invalidToken('access_changed');
    // Minted through an operator token that has since signed out.
    if (this.revocations.credentialRevoked(verified.operator.principal.credential)) throw Errors.invalidToken('revoked');
    return verified.operator;
  }

  private async visitor(token: string): Promise<SessionContext> {
    if (!RealtimeTokens.isRealtimeToken(token)) return this.bus.send(SessionRpc.authenticateRealtime, { token });
    const verified = await this.tokens.verify(token);
    if (verified.kind !== 'visitor') throw Errors.invalidToken('wrong_audience');
    if (this.revocations.sessionRevoked(verified.session.sessionId)) throw Errors.invalidToken('revoked');
    // The session's own expiry, as it was when the token was minted (sliding later does not shorten it).
    if (Date.parse(verified.session.expiresAt) <= Date.now()) throw Errors.authExpired();
    return verified.session;
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
