import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AuditLog, Errors, hashToken, IdempotencyStore, withinTransaction, InjectConfig, newId, newOpaqueToken, SecretBox } from '@widget/common';
import { ApiKeyCreateBody, ApiKeyView, AuditContext, IdempotencyRequest } from '@widget/contracts';
import type { TeamConfig } from '../config';
import { ApiKeyEntity } from '../persistence/entities';
import { AccountsService, API_KEY_PREFIX } from './accounts.service';

/** Workspace API keys for integrations (SPEC §14): the secret is shown once and kept only as a hash. */
@Injectable()
export class ApiKeysService {
  private readonly box: SecretBox;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly accounts: AccountsService,
    private readonly idempotency: IdempotencyStore,
    private readonly audit: AuditLog,
    @InjectConfig() config: TeamConfig,
  ) {
    this.box = new SecretBox(config.SECRET_ENCRYPTION_KEY);
  }

  async create(req: { workspaceId: string; audit?: AuditContext; idempotency?: IdempotencyRequest } & ApiKeyCreateBody): Promise<{ key: ApiKeyView; secret: string }> {
    const stored = await this.idempotency.run(req.idempotency, (m) => withinTransaction(this.db, m, (t) => this.createIn(t, req)));
    return { key: stored.key, secret: this.box.open(stored.secretSealed) };
  }

  private async createIn(m: EntityManager, req: { workspaceId: string; audit?: AuditContext } & ApiKeyCreateBody): Promise<{ key: ApiKeyView; secretSealed: string }> {
    const secret = newOpaqueToken(API_KEY_PREFIX);
    const row: ApiKeyEntity = {
      id: newId('apiKey'),
      workspaceId: req.workspaceId,
      name: req.name,
      role: req.role,
      secretHash: hashToken(secret),
      createdAt: new Date(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await m.getRepository(ApiKeyEntity).insert(row);
    await this.audit.append(m, req.audit, { workspaceId: req.workspaceId, action: 'api_key.created', targetType: 'api_key', targetId: row.id });
    return { key: toView(row), secretSealed: this.box.seal(secret) };
  }

  async list(workspaceId: string): Promise<ApiKeyView[]> {
    const rows = await this.db.getRepository(ApiKeyEntity).find({ where: { workspaceId, revokedAt: IsNull() }, order: { id: 'ASC' } });
    return rows.map(toView);
  }

  /** Revoked at once: every gateway replica forgets the key before this answers. */
  async revoke(req: { workspaceId: string; keyId: string; audit?: AuditContext }): Promise<{ revoked: true }> {
    await this.db.transaction(async (m) => {
      const result = await m.getRepository(ApiKeyEntity).update({ id: req.keyId, workspaceId: req.workspaceId, revokedAt: IsNull() }, { revokedAt: new Date() });
      if (!result.affected) throw Errors.notFound('apiKey');
      await this.audit.append(m, req.audit, { workspaceId: req.workspaceId, action: 'api_key.revoked', targetType: 'api_key', targetId: req.keyId });
    });
    await this.accounts.accessChanged({ apiKeyId: req.keyId });
    return { revoked: true };
  }
}

function toView(row: ApiKeyEntity): ApiKeyView {
  return { id: row.id, name: row.name, role: row.role, createdAt: row.createdAt.toISOString(), lastUsedAt: row.lastUsedAt?.toISOString() ?? null };
}
