// The store contract against PostgreSQL, each test in a fresh schema dropped afterwards; fails loudly when the server is down.
import { beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres/store.ts';
import { create } from './contract/fixtures.ts';
import { describeStoreContract } from './store.contract.ts';
import { assertPostgresUp, PG_URL, SKIP_POSTGRES, SKIP_REASON, sql, testSchemas } from './postgres-env.ts';

if (SKIP_POSTGRES) {
  describe.skip(`Store contract: postgres (${SKIP_REASON})`, () => {
    it.skip(SKIP_REASON, () => {});
  });
} else {
  const schema = testSchemas();
  beforeAll(assertPostgresUp);
  // A small pool per store: the contract opens one store per test, each on its own schema.
  describeStoreContract('postgres', () => openPostgresStore({ connectionString: PG_URL, schema: schema(), pool: { max: 4 } }));

  describe('PostgresStore beyond the contract', () => {
    it('refuses a state edited into something invalid, as state_invalid, and keeps every other read working', async () => {
      const name = schema();
      const store = await openPostgresStore({ connectionString: PG_URL, schema: name, pool: { max: 2 } });
      try {
        await create(store, 'bad');
        await create(store, 'fine');
        await sql(`UPDATE conversations SET state = jsonb_set(state, '{identity,status}', '"royal"') WHERE id = 'bad'`, [], name);
        await expect(store.conversations.get('bad')).rejects.toMatchObject({ code: 'state_invalid', message: expect.stringMatching(/bad.*identity\.status/) });
        expect(await store.conversations.get('fine')).toMatchObject({ id: 'fine', version: 1 });
        await sql(`UPDATE conversations SET state = state - 'lookups' WHERE id = 'fine'`, [], name);
        expect((await store.conversations.get('fine'))?.state.lookups).toEqual({});
      } finally {
        await store.close();
      }
    });
  });
}
