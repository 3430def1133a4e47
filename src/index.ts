// The public API of threadgate's core.
export { compile, type CompiledThread } from './core/compile.ts';
export { compileWidget, type CompiledWidget } from './core/compile-widget.ts';
export { evaluateTurn, type TurnContext } from './core/evaluate-turn.ts';
export { initialState, type ConversationState } from './core/state.ts';
export { capabilitiesOf, type Capabilities, type FormCapability } from './core/capabilities.ts';
export { loadSource, parseSource } from './core/load.ts';
export { ThreadgateError, formatIssue, type ErrorCode, type ErrorIssue } from './core/errors.ts';
export type { Output, TurnResult, TurnTrace } from './core/outputs.ts';
export type { TurnEvent } from './core/events.ts';
export { jsonSchemas } from './json-schemas.ts';
export { loadRulesDir } from './rules/load-rules-dir.ts';
export * from './auth/index.ts';
export { runTurn, type RuntimeDeps } from './runtime/run-turn.ts';
export { CallerEventSchema, CallerTurnEventSchema, StartRequestSchema, type CallerEvent, type CallerTurnEvent, type StartRequest } from './runtime/caller-events.ts';
export { MemoryProfileDirectory } from './profiles/memory-directory.ts';
export type { ProfileDirectory } from './profiles/profile-directory.ts';
