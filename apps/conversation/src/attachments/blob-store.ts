import { DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectConfig, Queryable } from '@widget/common';
import { DataSource } from 'typeorm';
import type { ConversationConfig } from '../config';
import { rowsOf } from '../persistence/conversation.repository';

export type StorageKind = 'postgres' | 's3';

/** Where an attachment's chunks live: one interface, two real back ends (SPEC §13). */
export interface BlobStore {
  readonly kind: StorageKind;
  /** False when the attachment is no longer an upload in progress (deleted meanwhile): nothing was stored. */
  putChunk(attachmentId: string, seq: number, data: Buffer): Promise<boolean>;
  getChunk(attachmentId: string, seq: number): Promise<Buffer | null>;
  /** Every chunk of the attachment, however many were stored (a partial upload too). */
  deleteAll(attachmentId: string, manager?: Queryable): Promise<void>;
}

/** The zero-configuration default for one box: chunks as bytea rows in the service's own schema. */
export class PostgresBlobStore implements BlobStore {
  readonly kind = 'postgres' as const;

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Only while the attachment row is an upload, share-locked until the chunk is in: a delete of the row (an
   * erasure, retention, the sweep) waits for this insert and then deletes the chunk with it, or comes first and
   * this stores nothing. No chunk outlives its row.
   */
  async putChunk(attachmentId: string, seq: number, data: Buffer): Promise<boolean> {
    const stored: unknown = await this.dataSource.query(
      `INSERT INTO conversation.attachment_chunks (attachment_id, seq, data)
       SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM conversation.attachments WHERE id = $1 AND status = 'uploading' FOR SHARE)
       ON CONFLICT (attachment_id, seq) DO UPDATE SET data = EXCLUDED.data
       RETURNING 1`,
      [attachmentId, seq, data],
    );
    return rowsOf(stored).length > 0;
  }

  async getChunk(attachmentId: string, seq: number): Promise<Buffer | null> {
    const rows: { data: Buffer }[] = await this.dataSource.query(`SELECT data FROM conversation.attachment_chunks WHERE attachment_id = $1 AND seq = $2`, [
      attachmentId,
      seq,
    ]);
    return rows[0]?.data ?? null;
  }

  async deleteAll(attachmentId: string, manager?: Queryable): Promise<void> {
    await (manager ?? this.dataSource.manager).query(`DELETE FROM conversation.attachment_chunks WHERE attachment_id = $1`, [attachmentId]);
  }
}

/** S3-compatible object storage (MinIO, AWS S3…): one object per chunk, `<prefix><attachment id>/<seq>`. */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  private key(attachmentId: string, seq: number): string {
    return `${this.prefix}${attachmentId}/${seq}`;
  }

  /** Creates the bucket when it does not exist (a fresh MinIO), so compose needs no extra step. */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) throw err;
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    }
  }

  /** An object stored after its row was deleted is found by the purge's late pass (AttachmentsService.purgeDue). */
  async putChunk(attachmentId: string, seq: number, data: Buffer): Promise<boolean> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(attachmentId, seq), Body: data, ContentLength: data.length }));
    return true;
  }

  async getChunk(attachmentId: string, seq: number): Promise<Buffer | null> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(attachmentId, seq) }));
      return Buffer.from(await object.Body!.transformToByteArray());
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return null;
      throw err;
    }
  }

  /** A listing answers at most 1,000 keys (a 1 GB file has 2,048 chunks): list and delete until none is left. */
  async deleteAll(attachmentId: string): Promise<void> {
    for (;;) {
      const listed = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}${attachmentId}/` }));
      const keys = (listed.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length > 0) await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }));
      if (keys.length === 0 || !listed.IsTruncated) return;
    }
  }
}

/**
 * The store new uploads go to (S3 when S3_BUCKET is set, else PostgreSQL), and
 * the store of each existing attachment by its recorded kind: a deployment
 * that moves to S3 still serves what PostgreSQL holds.
 */
@Injectable()
export class BlobStores implements OnModuleInit, OnModuleDestroy {
  readonly postgres: PostgresBlobStore;
  readonly s3: S3BlobStore | null;
  private readonly client: S3Client | null;

  constructor(dataSource: DataSource, @InjectConfig() config: ConversationConfig) {
    this.postgres = new PostgresBlobStore(dataSource);
    if (config.S3_BUCKET) {
      this.client = new S3Client({
        region: config.S3_REGION,
        endpoint: config.S3_ENDPOINT,
        forcePathStyle: config.S3_FORCE_PATH_STYLE,
        // Checksums only where S3 requires them: self-hosted S3 APIs (MinIO, s3rver) differ on the newer trailers.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        credentials:
          config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY } : undefined,
      });
      this.s3 = new S3BlobStore(this.client, config.S3_BUCKET, config.S3_KEY_PREFIX);
    } else {
      this.client = null;
      this.s3 = null;
    }
  }

  get current(): BlobStore {
    return this.s3 ?? this.postgres;
  }

  of(kind: StorageKind): BlobStore {
    if (kind === 's3') {
      if (!this.s3) throw new Error('an attachment is in S3 but S3_BUCKET is not configured');
      return this.s3;
    }
    return this.postgres;
  }

  async onModuleInit(): Promise<void> {
    await this.s3?.ensureBucket();
  }

  onModuleDestroy(): void {
    this.client?.destroy();
  }
}
