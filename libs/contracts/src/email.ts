import { z } from 'zod';
import { SessionContext } from './common';
import type { ConversationOwner } from './conversation';
import { rpc } from './transport';

/**
 * Email (SPEC §15, issue 22): mail out of the integrations service (unread
 * replies, transcripts, invitations, new conversations while nobody is
 * present) and visitor replies by email into conversations (docs/email.md).
 */

/** How a message reached the conversation: the widget (and every API) or a reply by email. */
export const MESSAGE_CHANNELS = ['web', 'email'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

/** The widget config's `email` section: `transcriptOnResolve` mails the visitor the conversation when it is resolved. */
export const widgetEmailSchema = z.object({ transcriptOnResolve: z.boolean().default(false) }).strict();
export type WidgetEmail = z.infer<typeof widgetEmailSchema>;

/** The token of an unsubscribe link (`?token=`): 32 characters of lowercase base32. */
export const unsubscribeQuery = z.object({ token: z.string().regex(/^[a-z2-7]{32}$/, 'must be the token of an unsubscribe link') }).strict();
export type UnsubscribeQuery = z.infer<typeof unsubscribeQuery>;

/** `PUT /admin/v1/workspaces/{ws}/notifications`: the caller's own email notifications in that workspace. */
export const notificationsBody = z.object({ newConversationEmail: z.boolean() }).strict();
export type NotificationsBody = z.infer<typeof notificationsBody>;
export interface NotificationSettings {
  workspaceId: string;
  /** Email me a new conversation that starts while no agent is present. */
  newConversationEmail: boolean;
}

/** `POST /widget/v1/conversations/{id}/transcript` → 202. */
export interface TranscriptReply {
  /** Always `queued`: the mail waits in the service's queue (nothing is sent when the deployment has no SMTP server). */
  status: 'queued';
}

/** What the team service hands over when it invites someone (the token travels once, over NATS, and is sealed at rest). */
export interface InvitationMailRequest {
  workspaceId: string;
  operatorId: string;
  email: string;
  role: string;
  inviteToken: string;
  expiresAt: string;
}

/** A member to tell about a new conversation while nobody is present. */
export interface NotifiedMember {
  id: string;
  email: string;
  name: string;
}

/** A visitor's reply by email, posted by the integrations service once its token, sender and text passed. */
export interface EmailReplyRequest {
  conversationId: string;
  owner: ConversationOwner;
  text: string;
  /** The mail's Message-ID (hashed): a redelivered mail posts nothing twice. */
  emailId: string;
}

export const EmailRpc = {
  /** The visitor asks for the conversation by email (the gateway; ownership checked with the session). */
  transcript: rpc<{ session: SessionContext; conversationId: string }, TranscriptReply>('integrations.email.transcript'),
  /** The public unsubscribe link: no more email about that conversation (not_found for an unknown token). */
  unsubscribe: rpc<{ token: string }, { unsubscribed: true }>('integrations.email.unsubscribe'),
  /** The team service: mail this invitation (queued once per token, however often it is asked). */
  invitation: rpc<InvitationMailRequest, { queued: boolean }>('integrations.email.invitation'),
} as const;
