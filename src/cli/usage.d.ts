// Types of usage.js, the plain-JavaScript top-level help that the bin uses before tsx is registered.
export type CommandName = 'serve' | 'token' | 'schema' | 'test' | 'validate' | 'graph' | 'chat';
export declare const COMMANDS: readonly CommandName[];
export declare const HELP: string;
export declare function version(): string;
export declare function answerWithoutCommand(argv: readonly string[], io: { stdout: { write(text: string): unknown }; stderr: { write(text: string): unknown } }): number | undefined;
