// Admin routes for the profile directory: list, read, and create or replace a profile with normalised contact keys.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { normalizeEmail, normalizePhone } from '../../core/normalize.ts';
import { StoreError } from '../../store/store-error.ts';
import { HttpError } from '../error-catalogue.ts';
import { ProfileListSchema, ProfileSchema } from '../schemas/profile-answers.ts';

const admin = { roles: ['admin'] } as const;
const tags = ['profiles'];

// Profile ids come from the runtime's id generator (UUIDs) or from admins: printable ASCII, no spaces.
export const ProfileId = z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'a profile id is 1-200 printable ASCII characters without spaces');
const ProfileParams = z.object({ id: ProfileId }).strict();

// Keys are normalised here so that the answer shows what lookups will match, and a bad one is a 400 naming its index.
/** A string schema that normalises with `normalize`, or fails with `message` when it gives null. */
const normalised = (max: number, normalize: (raw: string) => string | null, message: string) =>
  z
    .string()
    .max(max)
    .transform((raw, ctx) => {
      const value = normalize(raw);
      if (value === null) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return value;
    });
const Email = normalised(254, normalizeEmail, 'not an email address');
const Phone = normalised(32, (raw) => normalizePhone(raw), 'not a phone number in E.164 form, such as +14155550123');

export const ProfileBody = z
  .object({
    name: z.string().trim().min(1).max(200).nullable().optional(),
    emails: z.array(Email).max(20).optional(),
    phones: z.array(Phone).max(20).optional().describe('Normalised to E.164; give the country prefix (+1 415 555 0123).'),
    externalId: z.string().trim().min(1).max(200).nullable().optional().describe("The customer's id in your own systems."),
    attributes: z.record(z.string(), z.unknown()).optional().describe('Anything conditions may read as profile.attributes.'),
  })
  .strict();

const ListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    after: ProfileId.optional().describe('The `next` of the previous page.'),
  })
  .strict();

export const profileRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { clock } = app.services;
  const directory = app.services.store.profiles;

  app.get('/v1/profiles', { config: admin, schema: { summary: 'List profiles by id, a page at a time', tags, querystring: ListQuery, response: { 200: ProfileListSchema } } }, async (request) => {
    const { limit, after } = request.query;
    const profiles = await directory.list(limit, after);
    // A full page may have a successor; a short one is the last.
    return { profiles, next: profiles.length === limit ? (profiles[profiles.length - 1]?.id ?? null) : null };
  });

  app.get('/v1/profiles/:id', { config: { ...admin, errors: ['profile_not_found'] }, schema: { summary: 'Read a profile', tags, params: ProfileParams, response: { 200: ProfileSchema } } }, async (request) => {
    const profile = await directory.get(request.params.id);
    if (!profile) throw new HttpError('profile_not_found');
    return profile;
  });

  app.put(
    '/v1/profiles/:id',
    {
      config: { ...admin, errors: ['profile_key_taken'] },
      schema: {
        summary: 'Create or replace a profile (fields left out are cleared); 409 when an email, phone or external id belongs to another profile',
        tags,
        params: ProfileParams,
        body: ProfileBody,
        response: { 200: ProfileSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      let result;
      try {
        result = await directory.put(
          { id, name: body.name ?? null, emails: body.emails ?? [], phones: body.phones ?? [], externalId: body.externalId ?? null, attributes: body.attributes ?? {} },
          clock().toISOString(),
        );
      } catch (err) {
        // The zod body already normalised every key; this is the store agreeing, kept so a disagreement is a 400, not a 500.
        if (err instanceof StoreError && err.code === 'value_invalid') throw new HttpError('validation_failed', err.message, { issues: [{ field: 'body', message: err.message }] });
        throw err;
      }
      if (!result.ok) {
        throw new HttpError('profile_key_taken', `The key ${result.key} belongs to the profile ${result.takenBy}; remove it there first, or edit that profile.`, {
          key: result.key,
          takenBy: result.takenBy,
        });
      }
      const stored = await directory.get(id);
      if (!stored) throw new Error('profile vanished right after it was written');
      return stored;
    },
  );
};
