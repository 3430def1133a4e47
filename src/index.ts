// The public API of `threadgate`: the core, the rules loader, identity tokens and the runtime around a turn, listed by name.
export { compile, type CompiledThread } from './core/compile.ts';
export { compileWidget, type CompiledWidget } from './core/compile-widget.ts';
export { evaluateTurn, type TurnContext } from './core/evaluate-turn.ts';
export { initialState, type ConversationState } from './core/state.ts';
export { capabilitiesOf, type Capabilities, type FormCapability } from './core/capabilities.ts';
export { loadSource, parseSource } from './core/load.ts';
export { ThreadgateError, isThreadgateError, formatIssue, ERROR_CODES, type ErrorCode, type ErrorIssue } from './core/errors.ts';
export type { Output, TurnResult, TurnTrace } from './core/outputs.ts';
export type { TurnEvent, VerifiedIdentity, TokenResult } from './core/events.ts';
export { jsonSchemas } from './json-schemas.ts';
export { loadRulesDir } from './rules/load-rules-dir.ts';
export { lintThread, lintWidget, formatFinding, LINT_CODES, type Finding, type LintCode, type Severity } from './lint/index.ts';
// Identity tokens: a website signs them, a bot runtime verifies them. threadgate's own issuer and key rings are in threadgate/server.
export { JwtSettingsSchema, type JwtSettings, type JwtSettingsInput, type JwtKeySettings } from './core/jwt-settings.schema.ts';
export type { JwsAlgorithm } from './core/jws-algorithms.ts';
export { resolveJwtSettings, type ResolvedJwtSettings, type EnvironmentVariables } from './auth/resolve-keys.ts';
export { createTokenVerifier, type TokenVerification, type TokenVerifier, type TokenVerifierOptions } from './auth/verify-token.ts';
export { TOKEN_REJECTION_REASONS, type TokenRejectionReason, type TokenRejection } from './auth/token-rejection.ts';
export { signUserIdentity, type UserIdentityClaims, type UserIdentitySigningKey, type UserIdentitySignOptions } from './auth/sign-user-identity.ts';
export { runTurn, type RuntimeDeps } from './runtime/run-turn.ts';
export { CallerEventSchema, CallerTurnEventSchema, StartRequestSchema, type CallerEvent, type CallerTurnEvent, type StartRequest } from './runtime/caller-events.ts';
export { MemoryProfileDirectory } from './profiles/memory-directory.ts';
export type { ProfileDirectory } from './profiles/profile-directory.ts';
