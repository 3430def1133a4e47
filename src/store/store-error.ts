// The errors a store throws for refused input or an unusable database, with codes the HTTP layer can map.

export const STORE_ERROR_CODES = [
  /** createConversation with an id that is already taken. */
  'conversation_exists',
  /** An email or phone that does not normalise, a timestamp that does not parse, a bad limit. */
  'value_invalid',
  /** The database was migrated by a newer threadgate than this one. */
  'schema_too_new',
  /** The migration list itself is broken (a programming error, caught at open). */
  'migrations_invalid',
  /** A stored conversation state that does not validate (edited by hand, truncated, or from a newer threadgate). */
  'state_invalid',
  /** The database file cannot be used at all: empty, not a SQLite database, or in a folder that cannot be written. */
  'database_unusable',
] as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
  }
}
