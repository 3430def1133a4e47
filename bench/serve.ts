// Starts the service exactly as `threadgate serve` does (serveForever), without going through the CLI module.
import { serveForever } from '../src/server.ts';

process.exitCode = await serveForever(process.env);
