import { Injectable } from '@nestjs/common';
import { AppError, AuditLog, Errors, InjectConfig, InjectLogger, NatsBus, originAllowed, SecretBox, UnitOfWork } from '@widget/common';
import type { Logger } from 'pino';
import {
  AuditContext,
  Availability,
  IdempotencyRequest,
  AvailabilityConfig,
  PublicWidgetConfig,
  SessionEvents,
  TeamRpc,
  Widget,
  WidgetAccess,
  WidgetConfig,
  widgetConfigSchema,
  WidgetCreateBody,
  WidgetPatch,
  Workspace,
} from '@widget/contracts';
import { randomBytes } from 'node:crypto';
import type { SessionConfig } from '../config';
import { WidgetEntity } from '../persistence/entities';
import { WidgetRepository } from '../persistence/widget.repository';
import { nextOpening, withinHours } from './availability';

/** Sections a PATCH replaces whole: their fields hold together (a time zone and the hours read in it). */
const REPLACED_WHOLE = new Set(['availability']);

/** Deep merge of a PATCH: sections merge key by key (but REPLACED_WHOLE), arrays and scalars replace, null removes. */
export function mergeWidgetConfig(current: WidgetConfig, patch: WidgetPatch): WidgetConfig {
  const merged: Record<string, unknown> = { ...current };
  const { id: _id, workspaceId: _workspaceId, ...changes } = patch;
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (value === null) {
      delete merged[key];
      continue;
    }
    const base = (current as Record<string, unknown>)[key];
    merged[key] =
      typeof value === 'object' && !Array.isArray(value) && !REPLACED_WHOLE.has(key) && typeof base === 'object' && base !== null
        ? { ...base, ...value }
        : value;
  }
  return widgetConfigSchema.parse(merged);
}

@Injectable()
export class WidgetsService {
  private readonly box: SecretBox;
  private readonly logger: Logger;

  constructor(
    private readonly repo: WidgetRepository,
    private readonly bus: NatsBus,
    private readonly audit: AuditLog,
    private readonly uow: UnitOfWork,
    @InjectConfig() private readonly config: SessionConfig,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'Widgets' });
    this.box = new SecretBox(config.SECRET_ENCRYPTION_KEY);
  }

  /** The workspace and its audit entry commit together, with the Idempotency-Key when one was sent. */
  createWorkspace(name: string, audit?: AuditContext, idempotency?: IdempotencyRequest): Promise<Workspace> {
    return this.uow.run({ idempotency }, async (t) => {
      const row = await this.repo.insertWorkspace({ id: t.newId('workspace'), name, createdAt: t.now() }, t);
      await this.audit.append(t, audit, { workspaceId: row.id, action: 'workspace.created', targetType: 'workspace', targetId: row.id });
      return { id: row.id, name: row.name, createdAt: row.createdAt.toISOString() };
    });
  }

  /**
   * Like createWorkspace: the widget and its audit entry commit together. The reply kept under an
   * Idempotency-Key holds the secret sealed, never in clear; a retry answers it opened.
   */
  createWidget(workspaceId: string, body: WidgetCreateBody, audit?: AuditContext, idempotency?: IdempotencyRequest): Promise<{ widget: Widget; secret: string }> {
    const { id: _pastedId, workspaceId: pastedWorkspaceId, ...config } = body;
    checkPastedWorkspace(pastedWorkspaceId, workspaceId);
    const storedReply = {
      save: (r: { widget: Widget; secret: string }) => ({ widget: r.widget, secretSealed: this.box.seal(r.secret) }),
      load: (s: unknown) => {
        const stored = s as { widget: Widget; secretSealed: string };
        return { widget: stored.widget, secret: this.box.open(stored.secretSealed) };
      },
    };
    return this.uow.run({ idempotency, storedReply }, async (t) => {
      if (!(await this.repo.findWorkspace(workspaceId, t))) throw Errors.notFound('workspace');
      const secret = newSecret();
      const now = t.now();
      const row = await this.repo.insertWidget({
        id: t.newId('widget'),
        workspaceId,
        config: widgetConfigSchema.parse(config),
        secretSealed: this.box.seal(secret),
        createdAt: now,
        updatedAt: now,
      }, t);
      await this.audit.append(t, audit, { workspaceId, action: 'widget.created', targetType: 'widget', targetId: row.id });
      return { widget: toWidget(row), secret };
    });
  }

  async getWorkspace(workspaceId: string): Promise<Workspace> {
    const row = await this.repo.findWorkspace(workspaceId);
    if (!row) throw Errors.notFound('workspace');
    return { id: row.id, name: row.name, createdAt: row.createdAt.toISOString() };
  }

  async requireWorkspace(workspaceId: string): Promise<void> {
    if (!(await this.repo.findWorkspace(workspaceId))) throw Errors.notFound('workspace');
  }

  async get(widgetId: string): Promise<Widget> {
    return toWidget(await this.load(widgetId));
  }

  async list(workspaceId: string): Promise<Widget[]> {
    return (await this.repo.workspaceWidgets(workspaceId)).map(toWidget);
  }

  async patch(widgetId: string, patch: WidgetPatch, audit?: AuditContext): Promise<Widget> {
    const row = await this.load(widgetId);
    checkPastedWorkspace(patch.workspaceId, row.workspaceId);
    row.config = mergeWidgetConfig(row.config, patch);
    row.updatedAt = this.uow.now();
    await this.uow.run({}, async (m) => {
      await this.repo.updateWidget(widgetId, { config: row.config, updatedAt: row.updatedAt }, m);
      await this.audit.append(m, audit, { workspaceId: row.workspaceId, action: 'widget.updated', targetType: 'widget', targetId: widgetId });
    });
    // Confirmed before the reply, like revocations: every gateway and realtime replica drops (and re-checks) the widget first.
    await this.bus.emit(SessionEvents.widgetUpdated, { widgetId }, { confirm: true });
    return toWidget(row);
  }

  async rotateSecret(widgetId: string, audit?: AuditContext): Promise<{ secret: string }> {
    const { workspaceId } = await this.load(widgetId);
    const secret = newSecret();
    await this.uow.run({}, async (m) => {
      await this.repo.updateWidget(widgetId, { secretSealed: this.box.seal(secret), updatedAt: m.now() }, m);
      await this.audit.append(m, audit, { workspaceId, action: 'widget.secret_rotated', targetType: 'widget', targetId: widgetId });
    });
    return { secret };
  }

  async publicConfig(workspaceId: string, widgetId: string): Promise<PublicWidgetConfig> {
    const row = await this.repo.findWidget(widgetId);
    if (!row || row.workspaceId !== workspaceId) throw Errors.notFound('widget');
    const c = row.config;
    return {
      id: row.id,
      workspaceId: row.workspaceId,
      name: c.name,
      enabled: c.enabled,
      identity: c.identity,
      features: c.features,
      theme: c.theme,
      launcher: c.launcher,
      forms: { visibleFormIds: c.forms.visibleFormIds ?? [] },
      ai: { enabled: c.ai.enabled, mode: c.ai.mode, escalationBehavior: c.ai.escalationBehavior },
      availability: await this.availability(row.workspaceId, c.availability),
    };
  }

  /**
   * SPEC §15, at every request (nothing cached here or at the gateway: docs/api.md, "Availability"). Presence is
   * asked only within the hours; a team service that does not answer within AVAILABILITY_TIMEOUT_MS counts as
   * nobody present (logged), so the widget offers the email prompt rather than promising a reply.
   */
  private async availability(workspaceId: string, config: AvailabilityConfig | undefined, now = new Date()): Promise<Availability> {
    const hours = config ?? { timezone: 'UTC', hours: [] };
    const replyTime = config?.replyTime ?? null;
    if (!withinHours(hours, now)) return { online: false, nextOpenAt: nextOpening(hours, now)?.toISOString() ?? null, replyTime };
    try {
      const { present } = await this.bus.send(TeamRpc.workspacePresent, { workspaceId }, { timeoutMs: this.config.AVAILABILITY_TIMEOUT_MS });
      return { online: present, nextOpenAt: null, replyTime };
    } catch (err) {
      this.logger.warn(`availability: no answer from the team service for ${workspaceId} (${(err as Error).message}); reported offline`);
      return { online: false, nextOpenAt: null, replyTime };
    }
  }

  async access(widgetId: string): Promise<WidgetAccess> {
    const row = await this.load(widgetId);
    const c = row.config;
    return {
      widgetId: row.id,
      workspaceId: row.workspaceId,
      enabled: c.enabled,
      allowedOrigins: c.allowedOrigins,
      anonymousAllowed: c.identity.anonymousAllowed,
      features: c.features,
      ai: c.ai,
      visibleFormIds: c.forms.visibleFormIds ?? [],
      enabledCollectionIds: c.knowledgeBase.enabledCollectionIds ?? null,
      routing: c.routing ?? {},
    };
  }

  async originAllowedAnywhere(origin: string): Promise<boolean> {
    return originAllowed(origin, await this.repo.allOriginPatterns());
  }

  /** For the Idempotency-Key reply of a create: the secret is stored only sealed. */

  /** The widget row with its secret opened, for identity verification. */
  async loadWithSecret(widgetId: string): Promise<{ row: WidgetEntity; secret: string }> {
    const row = await this.load(widgetId);
    return { row, secret: this.box.open(row.secretSealed) };
  }

  private async load(widgetId: string): Promise<WidgetEntity> {
    const row = await this.repo.findWidget(widgetId);
    if (!row) throw Errors.notFound('widget');
    return row;
  }
}

/** A pasted upstream config may name its workspace; it must be this one. */
function checkPastedWorkspace(pasted: string | undefined, actual: string): void {
  if (pasted !== undefined && pasted !== actual) {
    throw Errors.validation([{ field: 'workspaceId', reason: 'must be the workspace in the path' }], 'The config names another workspace.');
  }
}

function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function toWidget(row: WidgetEntity): Widget {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    ...row.config,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
