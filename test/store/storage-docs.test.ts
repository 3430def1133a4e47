// docs/storage.md stays true to the code: every table, store error code and connection setting is documented.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../src/store/sqlite/connection.ts';
import { STORE_ERROR_CODES } from '../../src/store/store-error.ts';

const text = readFileSync('docs/storage.md', 'utf8');
// The tables of a migrated database, not every CREATE TABLE of the migrations: a table rebuilt under a passing name is not one.
const db = openSqliteDatabase(':memory:');
const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
db.close();

describe('docs/storage.md', () => {
  it('finds the tables of the migrations', () => {
    expect(tables).toContain('conversations');
  });

  it.each(tables)('documents the table `%s`', (table) => {
    expect(text).toMatch(new RegExp(`^\\| \`${table}\` \\|`, 'm'));
  });

  it.each([...STORE_ERROR_CODES])('documents the error code `%s`', (code) => {
    expect(text).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });

  it.each(['journal_mode', 'synchronous', 'foreign_keys', 'busy_timeout'])('documents the connection setting `%s`', (setting) => {
    expect(text).toContain(`| \`${setting}\` |`);
  });
});
