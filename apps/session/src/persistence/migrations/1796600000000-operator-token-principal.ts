import { MigrationInterface, QueryRunner } from 'typeorm';

/** SPEC §14: an operator realtime token says whom it was minted for (tokens minted before are the root key's). */
export class OperatorTokenPrincipal1796600000000 implements MigrationInterface {
  name = 'OperatorTokenPrincipal1796600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE session.operator_realtime_tokens
        ADD COLUMN principal_kind text NOT NULL DEFAULT 'root' CHECK (principal_kind IN ('root', 'operator', 'api_key')),
        ADD COLUMN principal_id text,
        ADD COLUMN principal_name text;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE session.operator_realtime_tokens DROP COLUMN principal_kind, DROP COLUMN principal_id, DROP COLUMN principal_name;`);
  }
}
