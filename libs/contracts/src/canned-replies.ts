import { z } from 'zod';
import { Idempotent, Page, pageQuery } from './common';
import { messageText } from './conversation';
import { Audited } from './team';
import { rpc } from './transport';

/**
 * Canned replies (issue 21): a workspace's saved answers, kept by the conversation service beside the
 * messages they become (schema `conversation`, table `canned_replies`). Owners and admins manage them;
 * agents list and search them (the inbox's `/` in the reply box).
 */
export interface CannedReply {
  id: string;
  /** What an agent types after `/`: lower-case letters, digits, `-` and `_`, unique in the workspace. */
  shortcut: string;
  text: string;
  createdAt: string;
  updatedAt: string;
}

export const CANNED_SHORTCUT_MAX = 32;
const shortcut = z
  .string()
  .regex(new RegExp(`^[a-z0-9][a-z0-9_-]{0,${CANNED_SHORTCUT_MAX - 1}}$`), `must be 1-${CANNED_SHORTCUT_MAX} lower-case letters, digits, - or _`);

export const cannedReplyBody = z.object({ shortcut, text: messageText }).strict();
export type CannedReplyBody = z.infer<typeof cannedReplyBody>;
export const cannedReplyPatchBody = cannedReplyBody.partial().strict();
export type CannedReplyPatchBody = z.infer<typeof cannedReplyPatchBody>;
/** `q`: the replies whose shortcut starts with it or whose text holds it (case-insensitive); ordered by shortcut. */
export const cannedRepliesQuery = pageQuery.extend({ q: z.string().max(100).optional() });
export type CannedRepliesQuery = z.infer<typeof cannedRepliesQuery>;

type Scoped = { workspaceId: string } & Audited;

export const CannedReplyRpc = {
  list: rpc<{ workspaceId: string } & CannedRepliesQuery, Page<CannedReply>>('conversation.canned-replies.list'),
  create: rpc<Scoped & CannedReplyBody & Idempotent, CannedReply>('conversation.canned-replies.create'),
  update: rpc<Scoped & { cannedReplyId: string } & CannedReplyPatchBody, CannedReply>('conversation.canned-replies.update'),
  remove: rpc<Scoped & { cannedReplyId: string }, { removed: true }>('conversation.canned-replies.remove'),
} as const;
