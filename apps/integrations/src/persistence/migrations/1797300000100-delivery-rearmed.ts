import { MigrationInterface, QueryRunner } from 'typeorm';

/** A manual retry asked while an attempt of the same delivery was in flight: that attempt's end must not close it. */
export class DeliveryRearmed1797300000100 implements MigrationInterface {
  name = 'DeliveryRearmed1797300000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE integrations.webhook_deliveries ADD COLUMN rearmed boolean NOT NULL DEFAULT false;`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE integrations.webhook_deliveries DROP COLUMN rearmed;`);
  }
}
