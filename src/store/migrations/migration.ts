// The shape of a versioned schema migration and of a migration run, shared by the SQLite and PostgreSQL lists.
import { StoreError } from '../store-error.ts';

export interface Migration {
  /** 1, 2, 3…: applied in order, each exactly once, recorded in `schema_migrations`. */
  version: number;
  name: string;
  sql: string;
}

/** Refuses a list with gaps, duplicates or disorder: a recorded version must always mean the same schema. */
export function assertMigrationList(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new StoreError('migrations_invalid', `migration #${i} ("${m.name}") has version ${m.version}; versions must run 1, 2, 3… without gaps.`);
    }
  });
}

/** What a migration run did, the same for every adapter. */
export interface MigrationOutcome {
  /** Versions applied by this call, in order; empty when the schema was already current. */
  applied: number[];
  version: number;
}

export const latestVersion = (list: readonly Migration[]): number => list.at(-1)?.version ?? 0;
