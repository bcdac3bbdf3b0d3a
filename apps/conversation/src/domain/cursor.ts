import { AppError } from '@widget/common';
import { idOf } from '@widget/contracts';
import type { ActivityKey } from '../persistence/conversation.repository';

const conversationId = idOf('conversation');
const messageId = idOf('message');
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Cursors are opaque to clients: base64url of a small JSON tuple, checked on the way back in. */
function encode(parts: string[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

function decode(cursor: string): unknown[] {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(parts) ? parts : [];
  } catch {
    return [];
  }
}

export function invalidCursor(): AppError {
  return new AppError('validation_error', 'The cursor is not valid.', {
    reason: 'invalid_cursor',
    details: [{ field: 'cursor', reason: 'is not a cursor of this list' }],
  });
}

/** Conversation lists: position by (updatedAt, id), newest first. */
export function encodeActivityCursor(key: ActivityKey): string {
  return encode(['c', key.updatedAt, key.id]);
}

export function decodeActivityCursor(cursor: string): ActivityKey {
  const [kind, updatedAt, id] = decode(cursor);
  if (kind !== 'c' || typeof updatedAt !== 'string' || !ISO_MS.test(updatedAt) || Number.isNaN(Date.parse(updatedAt))) throw invalidCursor();
  if (!conversationId.safeParse(id).success) throw invalidCursor();
  return { updatedAt, id: id as string };
}

/** Message lists: `b` pages back in time (newest first), `a` forward (oldest first, catch-up). */
export type MessagePosition = { before: string } | { after: string };

export function encodeMessageCursor(position: MessagePosition): string {
  return 'after' in position ? encode(['a', position.after]) : encode(['b', position.before]);
}

export function decodeMessageCursor(cursor: string): MessagePosition {
  const [kind, id] = decode(cursor);
  if (!messageId.safeParse(id).success) throw invalidCursor();
  if (kind === 'a') return { after: id as string };
  if (kind === 'b') return { before: id as string };
  throw invalidCursor();
}

/** A person's export (SPEC §17) walks conversations, then messages, then attachments, each by (conversation id, id). */
export const EXPORT_PHASES = ['conversations', 'messages', 'attachments'] as const;
export type ExportPhase = (typeof EXPORT_PHASES)[number];
/** Where an export page starts: after `id` of conversation `conversationId` ('' = from the start of the phase). */
export interface ExportPosition {
  phase: ExportPhase;
  conversationId: string;
  id: string;
}

const exportRowId: Record<ExportPhase, ReturnType<typeof idOf>> = { conversations: conversationId, messages: messageId, attachments: idOf('attachment') };

export function encodeExportCursor(position: ExportPosition): string {
  return encode(['x', position.phase, position.conversationId, position.id]);
}

export function decodeExportCursor(cursor: string): ExportPosition {
  const [kind, phase, conversation, id] = decode(cursor);
  if (kind !== 'x' || !EXPORT_PHASES.includes(phase as ExportPhase)) throw invalidCursor();
  const ok = (value: unknown, schema: ReturnType<typeof idOf>) => value === '' || schema.safeParse(value).success;
  if (!ok(conversation, conversationId) || !ok(id, exportRowId[phase as ExportPhase])) throw invalidCursor();
  return { phase: phase as ExportPhase, conversationId: conversation as string, id: id as string };
}
