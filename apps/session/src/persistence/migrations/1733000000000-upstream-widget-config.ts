import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Widgets stored before the upstream WidgetConfig (SPEC §9): `features.forms`
 * becomes `features.ticketForms`, and every new field gets its safe default
 * (values already stored win). End users gain the unverified identities of
 * identify-without-JWT (SPEC §4): a `verified` flag, traits and the company's
 * name and plan; an external id is unique among verified users only, since
 * each unverified claim is its own user. Sessions gain the visitor profile of
 * `PATCH /sessions/current` for anonymous visitors.
 */
export class UpstreamWidgetConfig1733000000000 implements MigrationInterface {
  name = 'UpstreamWidgetConfig1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE session.widgets SET config = config || jsonb_build_object(
        'identity', jsonb_build_object('jwtRequiredForIdentifiedUsers', true) || COALESCE(config->'identity', '{}'::jsonb),
        'routing', COALESCE(config->'routing', '{}'::jsonb),
        'features', jsonb_build_object('attachments', false, 'customLauncher', false, 'ticketForms', COALESCE(config->'features'->'forms', 'true'::jsonb))
          || (COALESCE(config->'features', '{}'::jsonb) - 'forms'),
        'launcher', jsonb_build_object('badge', true) || COALESCE(config->'launcher', '{}'::jsonb),
        'ai', jsonb_build_object('enabled', true, 'escalationBehavior', 'attach_context') || COALESCE(config->'ai', '{}'::jsonb)
      );
      ALTER TABLE session.end_users
        ADD COLUMN verified boolean NOT NULL DEFAULT true,
        ADD COLUMN traits jsonb NOT NULL DEFAULT '{}'::jsonb,
        ADD COLUMN company_name text,
        ADD COLUMN company_plan text,
        DROP CONSTRAINT end_users_external_uq;
      CREATE UNIQUE INDEX end_users_verified_external_uq ON session.end_users (workspace_id, external_id) WHERE verified;
      ALTER TABLE session.sessions ADD COLUMN visitor jsonb;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE session.sessions DROP COLUMN visitor;
      DELETE FROM session.sessions s USING session.end_users u WHERE s.user_id = u.id AND NOT u.verified;
      DELETE FROM session.end_users WHERE NOT verified;
      DROP INDEX session.end_users_verified_external_uq;
      ALTER TABLE session.end_users
        DROP COLUMN verified, DROP COLUMN traits, DROP COLUMN company_name, DROP COLUMN company_plan,
        ADD CONSTRAINT end_users_external_uq UNIQUE (workspace_id, external_id);
      UPDATE session.widgets SET config = (config - 'routing') || jsonb_build_object(
        'identity', (config->'identity') - 'jwtRequiredForIdentifiedUsers',
        'features', ((config->'features') - 'ticketForms' - 'attachments' - 'customLauncher') || jsonb_build_object('forms', COALESCE(config->'features'->'ticketForms', 'true'::jsonb)),
        'launcher', (config->'launcher') - 'badge',
        'ai', (config->'ai') - 'enabled' - 'escalationBehavior'
      );
    `);
  }
}
