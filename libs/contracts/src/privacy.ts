import { z } from 'zod';
import { idOf } from './common';
import { rpc, Rpc, ServiceName } from './transport';

/**
 * SPEC §17: erase and export one person, retention per workspace.
 *
 * A person is found by the site's own user id (a JWT's `sub` or an unverified
 * identify's `user.id`), by a session id, or by an email; the session service
 * resolves the selector to the keys every service files personal data under
 * (`PersonKeys`): the sessions (anonymous ones merged into the user included)
 * and the end-user rows. Each service then erases or exports what it holds
 * under those keys, in its own schema.
 */
export const personSelector = z
  .object({
    userId: z.string().trim().min(1).max(255).optional(),
    sessionId: idOf('session').optional(),
    email: z.string().trim().toLowerCase().email().max(320).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const given = [v.userId, v.sessionId, v.email].filter((x) => x !== undefined).length;
    if (given !== 1) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'send exactly one of userId, sessionId, email', path: ['userId'] });
  });
export type PersonSelector = z.infer<typeof personSelector>;

/** What every service files a person's data under. */
export interface PersonKeys {
  workspaceId: string;
  /** `ses_…`: the person's sessions, anonymous ones merged into the user included. */
  sessionIds: string[];
  /** `usr_…`: the end-user rows (a verified one and unverified claims of the same site id or email). */
  userIds: string[];
}

/** The services that hold a visitor's personal data, each erasing and exporting its own part. */
export const PRIVACY_PARTS = ['session', 'conversation', 'knowledge', 'forms', 'events', 'integrations'] as const satisfies readonly ServiceName[];
export type PrivacyPart = (typeof PRIVACY_PARTS)[number];

export interface ErasurePartView {
  status: 'pending' | 'done';
  attempts: number;
  doneAt: string | null;
  /** Rows deleted, by table (ids and counts only, never the data). */
  erased: Record<string, number> | null;
}

export interface ErasureView {
  id: string;
  workspaceId: string;
  status: 'pending' | 'done';
  /** Which selector was used (`userId`, `sessionId` or `email`); the value itself is not kept. */
  selector: keyof PersonSelector;
  createdAt: string;
  doneAt: string | null;
  parts: Record<PrivacyPart, ErasurePartView>;
}

export interface ErasePersonRequest {
  erasureId: string;
  person: PersonKeys;
}
export interface ErasePersonReply {
  erased: Record<string, number>;
}

/** One page of a service's part of an export: rows by table; `nextCursor` while more remain. */
export interface ExportPersonRequest {
  person: PersonKeys;
  cursor?: string;
}
export interface ExportChunk {
  data: Record<string, unknown[]>;
  nextCursor: string | null;
}

export interface PrivacyRpcs {
  erasePerson: Rpc<ErasePersonRequest, ErasePersonReply>;
  exportPerson: Rpc<ExportPersonRequest, ExportChunk>;
}

/** Every privacy part answers the same two subjects in its own namespace. */
export const privacyRpcs = (service: PrivacyPart): PrivacyRpcs => ({
  erasePerson: rpc(`${service}.privacy.erase`),
  exportPerson: rpc(`${service}.privacy.export`),
});

/** Retention per workspace (SPEC §17); a missing field keeps that kind of data forever (the default). */
export const retentionSchema = z
  .object({
    conversationDays: z.number().int().min(1).max(36500).nullable().optional(),
    eventDays: z.number().int().min(1).max(36500).nullable().optional(),
    attachmentDays: z.number().int().min(1).max(36500).nullable().optional(),
  })
  .strict();
export type Retention = z.infer<typeof retentionSchema>;
export const workspacePatchBody = z.object({ name: z.string().trim().min(1).max(120).optional(), retention: retentionSchema.optional() }).strict();
export type WorkspacePatchBody = z.infer<typeof workspacePatchBody>;

/** What a retention sweeper asks: every workspace with a limit on this kind of data. */
export interface RetentionPolicy {
  workspaceId: string;
  retention: Retention;
}
