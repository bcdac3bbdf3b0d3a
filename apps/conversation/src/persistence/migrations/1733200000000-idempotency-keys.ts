import { idempotencyTableSql } from '@widget/common';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** Operator creates' Idempotency-Key replies, kept 24 h (SPEC §9). */
export class ConversationIdempotencyKeys1733200000000 implements MigrationInterface {
  name = 'ConversationIdempotencyKeys1733200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(idempotencyTableSql.up('conversation'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(idempotencyTableSql.down('conversation'));
  }
}
