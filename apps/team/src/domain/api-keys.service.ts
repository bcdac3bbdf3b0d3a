import { Injectable } from '@nestjs/common';
import { AuditLog, Errors, hashToken, InjectConfig, newOpaqueToken, SecretBox, StoredReply, UnitOfWork } from '@widget/common';
import { ApiKeyCreateBody, ApiKeyView, AuditContext, IdempotencyRequest } from '@widget/contracts';
import type { TeamConfig } from '../config';
import { ApiKeyRepository } from '../persistence/api-key.repository';
import { ApiKeyEntity } from '../persistence/entities';
import { AccountsService, API_KEY_PREFIX } from './accounts.service';

type Created = { key: ApiKeyView; secret: string };

/** Workspace API keys for integrations (SPEC §14): the secret is shown once and kept only as a hash. */
@Injectable()
export class ApiKeysService {
  /** The reply kept under an Idempotency-Key holds the secret sealed, never in clear; a retry answers it opened. */
  private readonly storedReply: StoredReply<Created>;

  constructor(
    private readonly repo: ApiKeyRepository,
    private readonly accounts: AccountsService,
    private readonly audit: AuditLog,
    private readonly uow: UnitOfWork,
    @InjectConfig() config: TeamConfig,
  ) {
    const box = new SecretBox(config.SECRET_ENCRYPTION_KEY);
    this.storedReply = {
      save: (r) => ({ key: r.key, secretSealed: box.seal(r.secret) }),
      load: (s) => {
        const stored = s as { key: ApiKeyView; secretSealed: string };
        return { key: stored.key, secret: box.open(stored.secretSealed) };
      },
    };
  }

  create(req: { workspaceId: string; audit?: AuditContext; idempotency?: IdempotencyRequest } & ApiKeyCreateBody): Promise<Created> {
    return this.uow.run({ idempotency: req.idempotency, storedReply: this.storedReply }, async (tx) => {
      const secret = newOpaqueToken(API_KEY_PREFIX);
      const row: ApiKeyEntity = {
        id: tx.newId('apiKey'),
        workspaceId: req.workspaceId,
        name: req.name,
        role: req.role,
        secretHash: hashToken(secret),
        createdAt: tx.now(),
        lastUsedAt: null,
        revokedAt: null,
      };
      await this.repo.insert(row, tx);
      await this.audit.append(tx, req.audit, { workspaceId: req.workspaceId, action: 'api_key.created', targetType: 'api_key', targetId: row.id });
      return { key: toView(row), secret };
    });
  }

  async list(workspaceId: string): Promise<ApiKeyView[]> {
    return (await this.repo.listLive(workspaceId)).map(toView);
  }

  /** Revoked at once: every gateway replica forgets the key before this answers. */
  async revoke(req: { workspaceId: string; keyId: string; audit?: AuditContext }): Promise<{ revoked: true }> {
    await this.uow.run({}, async (tx) => {
      if (!(await this.repo.revoke(req.workspaceId, req.keyId, tx.now(), tx))) throw Errors.notFound('apiKey');
      await this.audit.append(tx, req.audit, { workspaceId: req.workspaceId, action: 'api_key.revoked', targetType: 'api_key', targetId: req.keyId });
    });
    await this.accounts.accessChanged({ apiKeyId: req.keyId });
    return { revoked: true };
  }
}

function toView(row: ApiKeyEntity): ApiKeyView {
  return { id: row.id, name: row.name, role: row.role, createdAt: row.createdAt.toISOString(), lastUsedAt: row.lastUsedAt?.toISOString() ?? null };
}
