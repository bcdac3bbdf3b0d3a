import type { MultipartFile } from '@fastify/multipart';
import { Injectable } from '@nestjs/common';
import { AppError, InjectConfig, InjectLogger, NatsBus } from '@widget/common';
import type { Logger } from 'pino';
import { Attachment, ATTACHMENT_CHUNK_BYTES, AttachmentActor, AttachmentContent, AttachmentLinkQuery, ConversationRpc } from '@widget/contracts';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import type { GatewayConfig } from '../config';
import { MarkupScanner, parseAttachmentTypes, SNIFF_BYTES } from './file-checks';
import { sniffType } from './sniff';
import { UploadGate } from './upload-gate';

/** An upload whose service went away is aborted again for this long (it may be restarting), then left to the hourly sweep. */
const ABORT_RETRY_MS = [250, 500, 1000, 2000, 4000, 8000, 15000];

export const tooLarge = (limit: number) =>
  new AppError('attachment_too_large', `The file is larger than the limit of ${limit} bytes.`, { reason: 'file_too_large' });
const unsupportedType = (type: string | null) =>
  new AppError('unsupported_file_type', 'This type of file is not accepted.', { reason: type ? 'type_not_allowed' : 'type_unknown' });

/** One file part (field `file`) of an upload, and a check, made once it is read, that no other part follows. */
export interface SingleFile {
  part: MultipartFile;
  noMoreParts(): Promise<void>;
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` (one range); anything else is served whole (RFC 9110 allows ignoring it). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

/** `attachment; filename="…"; filename*=UTF-8''…` (or inline), the name as stored (sanitized). */
export function contentDisposition(name: string, inline: boolean): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Streams files between HTTP and the conversation service (SPEC §13): an
 * upload is sniffed from its first bytes, then sent in ATTACHMENT_CHUNK_BYTES
 * chunks over NATS as it arrives (never held whole), each chunk awaited before
 * the next is read; a download reads the chunks back the same way.
 */
@Injectable()
export class AttachmentTransfer {
  private readonly logger: Logger;
  private readonly allowed: string[];
  private readonly gate: UploadGate;

  constructor(
    private readonly bus: NatsBus,
    @InjectConfig() private readonly config: GatewayConfig,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'AttachmentTransfer' });
    this.allowed = parseAttachmentTypes(config.ATTACHMENT_TYPES);
    this.gate = new UploadGate(config.ATTACHMENT_UPLOADS_IN_FLIGHT);
  }

  /**
   * At most ATTACHMENT_UPLOADS_IN_FLIGHT uploads stream through this replica at once; the others wait unread,
   * so the gateway's memory is bounded by that number, not by how many clients upload (docs/benchmarks.md).
   */
  upload(actor: AttachmentActor, conversationId: string, file: SingleFile): Promise<Attachment> {
    return this.gate.run(() => this.stream(actor, conversationId, file));
  }

  private async stream(actor: AttachmentActor, conversationId: string, file: SingleFile): Promise<Attachment> {
    const { part } = file;
    const chunks = part.file[Symbol.asyncIterator]();
    // Over ATTACHMENT_MAX_BYTES the parser stops passing bytes on and says so: answered at once, while the client still sends.
    let overLimit: () => void = () => undefined;
    const limitHit = new Promise<never>((_, reject) => (overLimit = () => reject(tooLarge(this.config.ATTACHMENT_MAX_BYTES))));
    limitHit.catch(() => undefined);
    part.file.once('limit', () => overLimit());
    let parts: Buffer[] = [];
    let buffered = 0;
    let ended = false;
    // Reads until `want` bytes are buffered (or the file ended), then joins them once.
    const fill = async (want: number): Promise<Buffer> => {
      while (!ended && buffered < want) {
        const next = await Promise.race([chunks.next(), limitHit]);
        if (next.done) ended = true;
        else {
          parts.push(next.value as Buffer);
          buffered += (next.value as Buffer).length;
        }
      }
      const joined = parts.length === 1 ? parts[0] : Buffer.concat(parts, buffered);
      parts = joined.length > 0 ? [joined] : [];
      return joined;
    };
    const take = (n: number): Buffer => {
      const joined = parts[0] ?? Buffer.alloc(0);
      const head = joined.subarray(0, n);
      const rest = joined.subarray(head.length);
      parts = rest.length > 0 ? [rest] : [];
      buffered = rest.length;
      return head;
    };

    const head = await fill(SNIFF_BYTES);
    if (part.file.truncated) throw tooLarge(this.config.ATTACHMENT_MAX_BYTES);
    const type = await sniffType(head.subarray(0, SNIFF_BYTES), ended && head.length <= SNIFF_BYTES);
    if (!type || !this.allowed.includes(type)) throw unsupportedType(type);

    const { attachmentId } = await this.bus.send(ConversationRpc.attachmentBegin, { actor, conversationId, name: part.filename ?? '', contentType: type });
    try {
      const markup = new MarkupScanner();
      let seq = 0;
      let size = 0;
      for (;;) {
        await fill(ATTACHMENT_CHUNK_BYTES);
        if (part.file.truncated) throw tooLarge(this.config.ATTACHMENT_MAX_BYTES);
        const chunk = take(ATTACHMENT_CHUNK_BYTES);
        if (chunk.length === 0) break;
        markup.push(chunk);
        await this.bus.send(ConversationRpc.attachmentChunk, { attachmentId, seq, data: chunk.toString('base64') });
        seq += 1;
        size += chunk.length;
        if (ended && buffered === 0) break;
      }
      await file.noMoreParts();
      return await this.bus.send(ConversationRpc.attachmentFinish, { attachmentId, size, chunks: seq, inline: !markup.found });
    } catch (err) {
      this.abort(attachmentId);
      throw err;
    }
  }

  /** Drops an unfinished upload now, or as soon as the conversation service answers again. */
  private abort(attachmentId: string, attempt = 0): void {
    this.bus.send(ConversationRpc.attachmentAbort, { attachmentId }).catch(() => {
      const wait = ABORT_RETRY_MS[attempt];
      if (wait === undefined) return this.logger.warn(`upload ${attachmentId} could not be aborted; the hourly sweep removes it`);
      setTimeout(() => this.abort(attachmentId, attempt + 1), wait).unref();
    });
  }

  /** Answers a signed link: the whole file (200) or one byte range (206), with headers that never let it run as a page. */
  async download(actor: AttachmentActor, attachmentId: string, link: AttachmentLinkQuery, range: string | undefined, reply: FastifyReply): Promise<Readable | null> {
    const content = await this.bus.send(ConversationRpc.attachmentOpen, { actor, attachmentId, expires: link.expires, sig: link.sig });
    const wanted = parseRange(range, content.size);
    if (wanted === 'unsatisfiable') {
      void reply.header('Content-Range', `bytes */${content.size}`);
      throw new AppError('validation_error', 'The requested range is outside the file.', { reason: 'range_not_satisfiable', status: 416 });
    }
    const { start, end } = wanted ?? { start: 0, end: content.size - 1 };
    void reply
      .status(wanted ? 206 : 200)
      .header('Content-Type', content.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : content.contentType)
      .header('Content-Length', String(end - start + 1))
      .header('Content-Disposition', contentDisposition(content.name, content.inline))
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Cross-Origin-Resource-Policy', 'same-origin')
      .header('Accept-Ranges', 'bytes')
      .header('Cache-Control', 'private, no-store');
    if (wanted) void reply.header('Content-Range', `bytes ${start}-${end}/${content.size}`);
    return Readable.from(this.bytes(content, start, end));
  }

  private async *bytes(content: AttachmentContent, start: number, end: number): AsyncGenerator<Buffer> {
    for (let seq = Math.floor(start / ATTACHMENT_CHUNK_BYTES); seq <= Math.floor(end / ATTACHMENT_CHUNK_BYTES); seq++) {
      const { data } = await this.bus.send(ConversationRpc.attachmentRead, { attachmentId: content.id, seq });
      const chunk = Buffer.from(data, 'base64');
      const offset = seq * ATTACHMENT_CHUNK_BYTES;
      yield chunk.subarray(Math.max(0, start - offset), Math.min(chunk.length, end - offset + 1));
    }
  }
}
