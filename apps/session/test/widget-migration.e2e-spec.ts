import { Client } from 'pg';
import { CreateSessionSchema1732500000000 } from '../src/persistence/migrations/1732500000000-create-session-schema';
import { UpstreamWidgetConfig1733000000000 } from '../src/persistence/migrations/1733000000000-upstream-widget-config';
import { widgetConfigSchema } from '@widget/contracts';
import { testStack } from '@widget/testing';

const stack = testStack();

/** The migration on a private schema of the test database: an old widget row goes in, an upstream one comes out. */
describe('session migration: widgets carried over to the upstream WidgetConfig', () => {
  const schema = `mig_${Date.now().toString(36)}`;
  let client: Client;
  const runner = () => ({ query: (sql: string) => client.query(sql.replace(/session\./g, `${schema}.`)) }) as never;

  beforeAll(async () => {
    client = new Client({ connectionString: stack.databaseUrl });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await new CreateSessionSchema1732500000000().up(runner());
  });
  afterAll(async () => {
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.end();
  });

  it('renames features.forms to ticketForms and fills every new field with its safe default; down reverts', async () => {
    const old = {
      name: 'Old',
      enabled: true,
      allowedOrigins: ['https://a.test'],
      identity: { anonymousAllowed: false, allowAnonymousToIdentifiedMerge: true },
      features: { conversations: true, knowledgeBase: false, aiAnswers: true, forms: false, events: true },
      theme: { primaryColor: '#1f6feb', textColor: '#ffffff', mode: 'auto' },
      launcher: { position: 'bottom-left', label: 'Hi', hidden: false },
      forms: { visibleFormIds: [] },
      knowledgeBase: {},
      ai: { mode: 'human_first', minConfidence: 0.5 },
    };
    await client.query(`INSERT INTO ${schema}.workspaces (id, name) VALUES ('ws_1', 'w')`);
    await client.query(`INSERT INTO ${schema}.widgets (id, workspace_id, config, secret_sealed) VALUES ('wgt_1', 'ws_1', $1, 'x')`, [JSON.stringify(old)]);
    await client.query(
      `INSERT INTO ${schema}.end_users (id, workspace_id, external_id) VALUES ('usr_1', 'ws_1', 'u-1')`,
    );

    await new UpstreamWidgetConfig1733000000000().up(runner());
    const { rows } = await client.query(`SELECT config FROM ${schema}.widgets WHERE id = 'wgt_1'`);
    const config = rows[0].config;
    expect(config.features).toEqual({ conversations: true, knowledgeBase: false, aiAnswers: true, ticketForms: false, events: true, attachments: false, customLauncher: false });
    expect(config.identity).toEqual({ anonymousAllowed: false, jwtRequiredForIdentifiedUsers: true, allowAnonymousToIdentifiedMerge: true });
    expect(config.routing).toEqual({});
    expect(config.launcher).toEqual({ position: 'bottom-left', label: 'Hi', hidden: false, badge: true });
    expect(config.ai).toEqual({ enabled: true, mode: 'human_first', escalationBehavior: 'attach_context', minConfidence: 0.5 });
    // What the service reads back is a valid config as it stands, nothing changed by parsing.
    expect(widgetConfigSchema.parse(config)).toEqual(config);
    const users = await client.query(`SELECT verified, traits FROM ${schema}.end_users`);
    expect(users.rows).toEqual([{ verified: true, traits: {} }]);

    await new UpstreamWidgetConfig1733000000000().down(runner());
    const back = await client.query(`SELECT config FROM ${schema}.widgets WHERE id = 'wgt_1'`);
    expect(back.rows[0].config).toEqual(old);
  });
});
