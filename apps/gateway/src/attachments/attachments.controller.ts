import { Headers, Param, Query, Req, Res } from '@nestjs/common';
import { AppError } from '@widget/common';
import { Attachment, AttachmentActor, attachmentLinkQuery, AttachmentLinkQuery, ROUTES, SessionContext } from '@widget/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { CurrentSession } from '../auth/request-state';
import { IdParam } from '../http/id-param.pipe';
import { AdminController, Route, WidgetController } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';
import { AttachmentTransfer, SingleFile } from './attachment-transfer';
import { Access } from '../auth/access';

const conversationParam = new IdParam('conversation');
const attachmentParam = new IdParam('attachment');
const linkQuery = new ZodPipe(attachmentLinkQuery);

async function singleFile(request: FastifyRequest): Promise<SingleFile> {
  if (!request.isMultipart()) {
    throw new AppError('validation_error', 'Send the file as multipart/form-data.', { reason: 'unsupported_media_type' });
  }
  const parts = request.parts();
  const first = await parts.next();
  const part = first.done ? undefined : first.value;
  if (!part || part.type !== 'file' || part.fieldname !== 'file') {
    throw new AppError('validation_error', 'Send exactly one file, in the part named "file".', { reason: 'invalid_fields', details: [{ field: 'file', reason: 'is required' }] });
  }
  return {
    part,
    noMoreParts: async () => {
      // A second part trips the plugin's parts limit (one_file_only); the end of the body is the only good answer.
      if (!(await parts.next()).done) throw new AppError('validation_error', 'Send exactly one file, in the part named "file".', { reason: 'one_file_only' });
    },
  };
}

async function upload(transfer: AttachmentTransfer, actor: AttachmentActor, conversationId: string, request: FastifyRequest, reply: FastifyReply): Promise<Attachment> {
  const attachment = await transfer.upload(actor, conversationId, await singleFile(request));
  void reply.status(201);
  return attachment;
}

/** SPEC §13: a visitor uploads into a conversation the session sees, and reads attachments through their signed links. */
@WidgetController()
export class AttachmentsController {
  constructor(private readonly transfer: AttachmentTransfer) {}

  @Route(ROUTES.widget.uploadAttachment)
  upload(
    @CurrentSession() session: SessionContext,
    @Param('id', conversationParam) conversationId: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Attachment> {
    return upload(this.transfer, { session }, conversationId, request, reply);
  }

  /** The `url` of an attachment, with the session's Bearer token: only the conversation's owner reads it. */
  @Route(ROUTES.widget.downloadAttachment)
  download(
    @CurrentSession() session: SessionContext,
    @Param('id', attachmentParam) attachmentId: string,
    @Query(linkQuery) link: AttachmentLinkQuery,
    @Headers('range') range: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Readable | null> {
    return this.transfer.download({ session }, attachmentId, link, range, reply);
  }
}

/** The operator's side: attach to any conversation, read a workspace's attachments with the same signed query. */
@AdminController()
export class AdminAttachmentsController {
  constructor(private readonly transfer: AttachmentTransfer) {}

  @Route(ROUTES.admin.uploadAttachment)
  @Access.onResource('agent', 'conversation')
  upload(@Param('id', conversationParam) conversationId: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<Attachment> {
    return upload(this.transfer, { operator: {} }, conversationId, request, reply);
  }

  @Route(ROUTES.admin.downloadAttachment)
  @Access.inWorkspace('agent')
  download(
    @Param('ws', new IdParam('workspace')) workspaceId: string,
    @Param('id', attachmentParam) attachmentId: string,
    @Query(linkQuery) link: AttachmentLinkQuery,
    @Headers('range') range: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Readable | null> {
    return this.transfer.download({ operator: { workspaceId } }, attachmentId, link, range, reply);
  }
}
