// build(opts): the fastify app of the threadgate service, every route group registered as a plugin.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.port.ts';
import { ConversationService } from '../runtime/conversation-service.ts';
import { executeLookup, type LookupSettings } from '../runtime/lookups.ts';
import type { RulesRegistry } from '../runtime/rules-registry.ts';
import type { ApiKeyring } from './api-keys.ts';
import { AuthFailureLimiter } from './auth-failures.ts';
import { registerAuth, type Authenticator } from './auth-hook.ts';
import { frameworkErrorHandler, registerErrorHandling } from './error-handler.ts';
import { clientErrorHandler, serverFactory } from './http-server.ts';
import { registerJsonBody } from './json-body.ts';
import { answerSerializerCompiler } from './serialize-answer.ts';
import { registerMetrics, type ThreadgateMetrics } from './metrics.ts';
import { registerPlatform } from './platform.ts';
import { registerStoreHealth } from './store-health.ts';
import { conversationListRoutes } from './routes/conversation-list.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { healthRoutes } from './routes/health.ts';
import { registerDrain, registerShutdownGate } from './shutdown.ts';
import { evaluateRoutes } from './routes/evaluate.ts';
import { identityTokenRoutes } from './routes/identity-tokens.ts';
import { profileConversationRoutes } from './routes/profile-conversations.ts';
import { profileRoutes } from './routes/profiles.ts';
import { reportRoutes } from './routes/reports.ts';
import { studioRoutes } from './studio.ts';
import { threadCoverageRoutes } from './routes/thread-coverage.ts';
import { threadRoutes } from './routes/threads.ts';
import { transcriptRoutes } from './routes/transcripts.ts';
import { widgetRoutes } from './routes/widgets.ts';

export interface BuildOptions {
  store: Store;
  registry: RulesRegistry;
  keyring: ApiKeyring;
  /** The clock; tests pass their own so nothing sleeps. */
  clock?: () => Date;
  newId?: () => string;
  bodyLimitBytes?: number;
  rateLimitPerMinute?: number;
  /** Failed authentications per client address per minute before 429 (default 30); valid keys are never limited. */
  authFailuresPerMinute?: number;
  identity?: { issuer: string; audience: string; ttlSeconds: number };
  logger?: FastifyServerOptions['logger'];
  requestTimeoutMs?: number;
  /** How long a turn waits for the earlier turns on its conversation before 503 conversation_busy (default 10 s). */
  turnWaitMs?: number;
  /** Where `lookup` steps may go; default: nowhere (every lookup fails with host_not_allowed). */
  lookups?: LookupSettings;
  /** Transcripts the coverage route replays when a request sends none; default none. */
  transcriptsDir?: string | null;
}

/** What every route plugin reads from `app.services`: the store, the compiled rules and the runtime service. */
export interface AppServices {
  store: Store;
  registry: RulesRegistry;
  conversations: ConversationService;
  clock: () => Date;
  newId: () => string;
  options: BuildOptions;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: AppServices;
  }
}

export async function build(opts: BuildOptions): Promise<FastifyInstance> {
  // Set once metrics are registered; failures before that (none in practice) are simply not counted.
  let metricsOf = (): ThreadgateMetrics | undefined => undefined;
  // Made before the instance: errors raised before routing (frameworkErrors) authenticate with it too.
  const authenticator: Authenticator = {
    keyring: opts.keyring,
    failures: new AuthFailureLimiter({ perWindow: opts.authFailuresPerMinute ?? 30 }),
    onFailure: (outcome) => metricsOf()?.authFailures.inc({ outcome }),
  };
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimitBytes ?? 64 * 1024,
    // Our own node:http server: its timeouts bound a stalled body too, and connection errors get our shape.
    serverFactory: serverFactory(opts.requestTimeoutMs ?? 15_000),
    clientErrorHandler,
    genReqId: () => randomUUID(),
    // Request lines are logged (fastify's default); loggerOptions() in server.ts logs URLs without query strings.
    // Requests that arrive while closing get our 503 shutting_down (routes/health.ts), not fastify's own body.
    return503OnClosing: false,
    // Errors before routing (a bad URL) skip setErrorHandler; this keeps their answer in our shape.
    frameworkErrors: frameworkErrorHandler(authenticator),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(answerSerializerCompiler);

  const clock = opts.clock ?? (() => new Date());
  const newId = opts.newId ?? (() => randomUUID());
  app.decorate('services', {
    store: opts.store,
    registry: opts.registry,
    conversations: new ConversationService(opts.store, opts.registry, clock, newId, {
      lookup: (request, response) => executeLookup(request, response, { allowHosts: opts.lookups?.allowHosts ?? [], allowPrivate: opts.lookups?.allowPrivate ?? false }),
      ...(opts.turnWaitMs !== undefined ? { turnWaitMs: opts.turnWaitMs } : {}),
    }),
    clock,
    newId,
    options: opts,
  });

  registerErrorHandling(app);
  registerJsonBody(app);
  const metrics = registerMetrics(app);
  metricsOf = () => metrics;
  registerStoreHealth(app);
  // Before auth and before every route: swagger sees routes via onRoute, the rate limit counts wrong keys too.
  await registerPlatform(app, { keyring: opts.keyring, rateLimitPerMinute: opts.rateLimitPerMinute });
  registerShutdownGate(app);
  registerDrain(app);
  registerAuth(app, authenticator);
  await app.register(healthRoutes);
  await app.register(conversationRoutes);
  await app.register(conversationListRoutes);
  await app.register(threadRoutes);
  await app.register(threadCoverageRoutes);
  await app.register(transcriptRoutes);
  await app.register(widgetRoutes);
  await app.register(profileRoutes);
  await app.register(profileConversationRoutes);
  await app.register(reportRoutes);
  await app.register(evaluateRoutes);
  await app.register(identityTokenRoutes);
  await app.register(studioRoutes);
  return app;
}
