// The public API of `threadgate/server`: the HTTP app, the stores, the service's configuration and start, and its own identity issuer.
export { build, type BuildOptions, type AppServices } from './http/app.ts';
export { loadConfig, ConfigSchema, type ServiceConfig } from './http/config.ts';
export { ApiKeyring, loadOrCreateApiKeys, newApiKey, API_ROLES, type ApiRole, type ApiPrincipal } from './http/api-keys.ts';
export { startServer, serveForever, type RunningServer } from './server.ts';
export { RulesRegistry } from './runtime/rules-registry.ts';
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from './store/sqlite/store.ts';
export { openPostgresStore, PostgresStore, type PostgresStoreOptions } from './store/postgres/store.ts';
export { StoreError, STORE_ERROR_CODES, type StoreErrorCode } from './store/store-error.ts';
export type { Store } from './store/store.port.ts';
export { rotateKeyRing, pruneKeyRing, publicJwks, type KeyRingData, type KeyRingKey, type PublicEcJwk, type RotateKeyRingOptions } from './auth/key-ring.ts';
export { createIdentityIssuer, type IdentityIssuer, type IdentityIssuerOptions, type IdentityToIssue, type IssuedIdentityToken } from './auth/identity-issuer.ts';
