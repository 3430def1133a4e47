// Opening PostgreSQL that cannot serve refuses to start, naming the server (never the password) and what to do.
import { beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres/store.ts';
import { assertPostgresUp, PG_URL, SKIP_POSTGRES, SKIP_REASON } from './postgres-env.ts';

describe('openPostgresStore start-up errors', () => {
  it('a server that refuses the connection: database_unusable, the host and port, what to check; no password', async () => {
    const err = await openPostgresStore({ connectionString: 'postgres://threadgate:s3cret-pw@127.0.0.1:1/threadgate', pool: { connectionTimeoutMillis: 2000 } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'database_unusable', message: expect.stringContaining('PostgreSQL at 127.0.0.1:1/threadgate: cannot be reached: check the host and port in DATABASE_URL') });
    expect((err as Error).message).not.toContain('s3cret-pw');
  });

  describe.skipIf(SKIP_POSTGRES)(`on a running server${SKIP_POSTGRES ? ` (${SKIP_REASON})` : ''}`, () => {
    beforeAll(assertPostgresUp);
    it('a database that does not exist: database_unusable saying to create it', async () => {
      const url = new URL(PG_URL);
      url.pathname = '/tg_no_such_database_for_tests';
      await expect(openPostgresStore({ connectionString: url.toString() })).rejects.toMatchObject({
        code: 'database_unusable',
        message: expect.stringMatching(/tg_no_such_database_for_tests: has no such database: create it \(createdb\)/),
      });
    });
  });
});
