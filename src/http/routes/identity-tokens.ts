// threadgate as a User Identity JWT issuer: mint tokens with its own ES256 key ring, publish the ring's public keys.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createIdentityIssuer, publicJwks, rotateKeyRing, signingKey, type IdentityIssuer, type KeyRingData } from '../../auth/index.ts';
import { isThreadgateError } from '../../core/errors.ts';
import type { KeyRingRepository } from '../../store/store.port.ts';
import { HttpError } from '../error-catalogue.ts';
import { IdentityTokenSchema, JwksSchema } from '../schemas/identity-answers.ts';

/** The store name of the ring; one ring per deployment. */
export const IDENTITY_KEY_RING = 'identity';
/** A signing key older than this is replaced on the next use; the old one stays published for the ring's grace period. */
export const IDENTITY_KEY_MAX_AGE_SECONDS = 30 * 86_400;
const DEFAULT_IDENTITY = { issuer: 'threadgate', audience: 'threadgate', ttlSeconds: 300 };

/**
 * The ring as stored, created on first use and rotated when its signing key is too old. Creating and rotating run
 * one at a time in this process: two first calls must not each create a ring, the second overwriting the key the
 * first one already signed with. (Separate processes on one database can still race; the last write wins.)
 */
export class IdentityKeyRing {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly keyRings: KeyRingRepository,
    private readonly clock: () => Date,
  ) {}

  private fresh(ring: KeyRingData | null, now: Date): ring is KeyRingData {
    const key = ring ? signingKey(ring) : null;
    return key !== null && Math.floor(now.getTime() / 1000) - key.createdAt < IDENTITY_KEY_MAX_AGE_SECONDS;
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }

  async current(): Promise<{ ring: KeyRingData; now: Date }> {
    const now = this.clock();
    // The common case reads once and takes no lock.
    const ring = await this.keyRings.load(IDENTITY_KEY_RING);
    if (this.fresh(ring, now)) return { ring, now };
    return this.serially(async () => {
      // Looked at again inside the lock: the call ahead of us may have just created or rotated it.
      const at = this.clock();
      const stored = await this.keyRings.load(IDENTITY_KEY_RING);
      if (this.fresh(stored, at)) return { ring: stored, now: at };
      const next = await rotateKeyRing(stored ?? { keys: [] }, at);
      await this.keyRings.save(IDENTITY_KEY_RING, next);
      return { ring: next, now: at };
    });
  }
}

export const IdentityTokenBody = z
  .object({
    type: z.enum(['email', 'phone']),
    value: z.string().min(1).max(320).describe('The email address, or the phone number in E.164 form (+14155550123).'),
    name: z.string().max(256).optional().describe('Display name put in the token.'),
  })
  .strict();

export const identityTokenRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { store, clock, newId, options } = app.services;
  const settings = options.identity ?? DEFAULT_IDENTITY;
  const keys = new IdentityKeyRing(store.keyRings, clock);
  // One issuer per signing key: importing the private JWK is async and worth doing once.
  let cached: { kid: string; issuer: IdentityIssuer } | null = null;
  const issuerFor = (ring: KeyRingData): IdentityIssuer => {
    const kid = signingKey(ring)?.kid;
    if (cached && cached.kid === kid) return cached.issuer;
    const issuer = createIdentityIssuer({ ring, issuer: settings.issuer, audience: settings.audience, ttlSeconds: settings.ttlSeconds });
    cached = { kid: issuer.kid, issuer };
    return issuer;
  };

  app.post(
    '/v1/identity-tokens',
    {
      config: { roles: ['identity'], errors: ['identity_value_invalid'] },
      schema: {
        summary: "Mint a short-lived User Identity JWT (ES256) for a customer your backend has logged in; verify it with /.well-known/jwks.json",
        tags: ['identity'],
        body: IdentityTokenBody,
        response: { 200: IdentityTokenSchema },
      },
    },
    async (request) => {
      const { ring, now } = await keys.current();
      const issuer = issuerFor(ring);
      try {
        const issued = await issuer.issue({ type: request.body.type, value: request.body.value, ...(request.body.name !== undefined ? { name: request.body.name } : {}) }, now, newId());
        return { token: issued.token, expiresAt: new Date(issued.expiresAt * 1000).toISOString(), kid: issuer.kid };
      } catch (err) {
        if (isThreadgateError(err) && err.code === 'identity_value_invalid') throw new HttpError('identity_value_invalid', err.message);
        // Any other issuer error is our key or configuration, not the caller's input: a 500, not the rules_invalid a ThreadgateError would map to.
        if (isThreadgateError(err)) throw new Error(`identity issuer: ${err.code}`);
        throw err;
      }
    },
  );

  app.get('/.well-known/jwks.json', { schema: { summary: "The public keys of threadgate's identity key ring (JWKS)", tags: ['identity'], response: { 200: JwksSchema } } }, async (_request, reply) => {
    // Created here too, so the key is published before the first token it signs.
    const { ring, now } = await keys.current();
    reply.header('cache-control', 'public, max-age=300');
    return publicJwks(ring, now);
  });
};
