import { idempotencyTableSql } from '@widget/common';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** Operator creates' Idempotency-Key replies, kept 24 h (SPEC §9). */
export class SessionIdempotencyKeys1733200000000 implements MigrationInterface {
  name = 'SessionIdempotencyKeys1733200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(idempotencyTableSql.up('session'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(idempotencyTableSql.down('session'));
  }
}
