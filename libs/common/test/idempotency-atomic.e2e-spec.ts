import { DataSource } from 'typeorm';
import { hashRequest, idempotencyTableSql, IdempotencyStore, withinTransaction } from '@widget/common';
import { testStack } from '@widget/testing';

/**
 * The Idempotency-Key and the create commit together, on real PostgreSQL (the
 * test stack's database, a schema of this spec's own): a create that fails
 * after its first write leaves neither the write nor the key, so the retry
 * creates once; a create that succeeds is replayed, not repeated.
 */
const schema = `idem_${Date.now().toString(36)}`;
let ds: DataSource;
let store: IdempotencyStore;

beforeAll(async () => {
  ds = await new DataSource({ type: 'postgres', url: testStack().databaseUrl, entities: [] }).initialize();
  await ds.query(`CREATE SCHEMA ${schema}`);
  await ds.query(idempotencyTableSql.up(schema));
  await ds.query(`CREATE TABLE ${schema}.things (id text PRIMARY KEY, part text NOT NULL)`);
  store = new IdempotencyStore(ds, schema);
});
afterAll(async () => {
  await ds?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await ds?.destroy();
});

const count = async (table: 'things' | 'idempotency_keys') => Number((await ds.query(`SELECT count(*) AS n FROM ${schema}.${table}`))[0].n);
const key = (k: string) => ({ key: k, requestHash: hashRequest({ k }) });

/** A create of two rows, as an article and its vocabulary: through `withinTransaction`, like the repositories. */
const createTwoRows = (id: string, failBetween: boolean) => (m: Parameters<Parameters<typeof withinTransaction>[2]>[0]) =>
  withinTransaction(ds, m, async (tx) => {
    await tx.query(`INSERT INTO ${schema}.things VALUES ($1, 'row')`, [id]);
    if (failBetween) throw new Error('the process died between the two writes');
    await tx.query(`INSERT INTO ${schema}.things VALUES ($1, 'vocabulary')`, [`${id}-v`]);
    return { id };
  });

it('a create that fails after its first write leaves no row and no key; the retry creates it once', async () => {
  await expect(store.run(key('k1'), createTwoRows('a1', true))).rejects.toThrow('died');
  expect(await count('things')).toBe(0);
  expect(await count('idempotency_keys')).toBe(0);

  await expect(store.run(key('k1'), createTwoRows('a1', false))).resolves.toEqual({ id: 'a1' });
  // The same key again: the stored reply, nothing written twice (a second insert of a1 would violate the key).
  await expect(store.run(key('k1'), createTwoRows('a1', false))).resolves.toEqual({ id: 'a1' });
  expect(await count('things')).toBe(2);
  expect(await count('idempotency_keys')).toBe(1);
});

it('without a key, withinTransaction still makes the create all or nothing', async () => {
  await expect(store.run(undefined, createTwoRows('b1', true))).rejects.toThrow('died');
  expect(await ds.query(`SELECT id FROM ${schema}.things WHERE id LIKE 'b1%'`)).toEqual([]);
  await expect(store.run(undefined, createTwoRows('b1', false))).resolves.toEqual({ id: 'b1' });
  expect((await ds.query(`SELECT id FROM ${schema}.things WHERE id LIKE 'b1%' ORDER BY id`)).map((r: { id: string }) => r.id)).toEqual(['b1', 'b1-v']);
});

it('a write that does not go through the given manager escapes the rollback (why every create takes it)', async () => {
  await expect(
    store.run(key('k2'), async () => {
      await ds.query(`INSERT INTO ${schema}.things VALUES ('c1', 'outside')`);
      throw new Error('crash');
    }),
  ).rejects.toThrow('crash');
  expect(await ds.query(`SELECT id FROM ${schema}.things WHERE id = 'c1'`)).toEqual([{ id: 'c1' }]);
  expect(await ds.query(`SELECT key FROM ${schema}.idempotency_keys WHERE key = 'k2'`)).toEqual([]);
});
