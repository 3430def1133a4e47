// The store contract against PostgreSQL, each test in a fresh schema dropped afterwards; fails loudly when the server is down.
import { beforeAll, describe, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres-store.ts';
import { describeStoreContract } from './store.contract.ts';
import { assertPostgresUp, PG_URL, SKIP_POSTGRES, SKIP_REASON, testSchemas } from './postgres-env.ts';

if (SKIP_POSTGRES) {
  describe.skip(`Store contract: postgres (${SKIP_REASON})`, () => {
    it.skip(SKIP_REASON, () => {});
  });
} else {
  const schema = testSchemas();
  beforeAll(assertPostgresUp);
  // A small pool per store: the contract opens one store per test, each on its own schema.
  describeStoreContract('postgres', () => openPostgresStore({ connectionString: PG_URL, schema: schema(), pool: { max: 4 } }));
}
