// What the thread routes answer: drafts, checks, lint findings, published versions and the thread list.
import { z } from 'zod';
import type { Finding } from '../../lint/types.ts';
import type { RulesSource, ThreadVersion } from '../../store/store.port.ts';

const updatedAt = z.string().describe('When it was stored (ISO 8601).');
const source = z.string().describe('The file as it was stored (YAML or JSON text), byte for byte.');
const checked = z.enum(['body', 'draft']).describe('Which text was checked: the body, or the stored draft.');

export const ThreadDraftSavedSchema = z.strictObject({ id: z.string(), updatedAt }).meta({ id: 'ThreadDraftSaved' });
export type ThreadDraftSaved = z.infer<typeof ThreadDraftSavedSchema>;

export const ThreadDraftSchema = z.strictObject({ id: z.string(), updatedAt, source }).meta({ id: 'ThreadDraft' });
export type ThreadDraft = z.infer<typeof ThreadDraftSchema>;

export const ThreadValidationSchema = z
  .strictObject({ valid: z.literal(true), id: z.string(), checked, steps: z.number().int().describe('How many steps the thread has.') })
  .meta({ id: 'ThreadValidation' });
export type ThreadValidation = z.infer<typeof ThreadValidationSchema>;

export const LintFindingSchema = z
  .strictObject({
    severity: z.enum(['error', 'warning']),
    code: z.string().describe('A lint code (docs/cli.md), or a compile error code surfaced as an error.'),
    message: z.string(),
    file: z.string(),
    line: z.number().int(),
    column: z.number().int(),
    step: z.string().optional(),
    field: z.string().optional(),
  })
  .meta({ id: 'LintFinding' });
export type LintFinding = z.infer<typeof LintFindingSchema>;

export const ThreadLintSchema = z.strictObject({ id: z.string(), checked, findings: z.array(LintFindingSchema) }).meta({ id: 'ThreadLint' });
export type ThreadLint = z.infer<typeof ThreadLintSchema>;

export const ThreadVersionSummarySchema = z
  .strictObject({
    id: z.string(),
    version: z.number().int(),
    publishedAt: z.string(),
    active: z.boolean().describe('Whether new conversations start on this version.'),
  })
  .meta({ id: 'ThreadVersionSummary' });
export type ThreadVersionSummary = z.infer<typeof ThreadVersionSummarySchema>;

export const ThreadVersionListSchema = z.strictObject({ id: z.string(), versions: z.array(ThreadVersionSummarySchema) }).meta({ id: 'ThreadVersionList' });
export type ThreadVersionList = z.infer<typeof ThreadVersionListSchema>;

export const ThreadVersionSourceSchema = z
  .strictObject({ ...ThreadVersionSummarySchema.shape, source })
  .meta({ id: 'ThreadVersionSource' });
export type ThreadVersionSource = z.infer<typeof ThreadVersionSourceSchema>;

export const ThreadListSchema = z
  .strictObject({
    threads: z.array(
      z.strictObject({
        id: z.string(),
        activeVersion: z.number().int().nullable().describe('The version new conversations start on; null until published.'),
        draftUpdatedAt: z.string().nullable().describe('When the draft was last stored; null without a draft.'),
      }),
    ),
  })
  .meta({ id: 'ThreadList' });
export type ThreadList = z.infer<typeof ThreadListSchema>;

/** A stored version as the API shows it (the store calls the thread's id `threadId`). */
export const versionSummary = (v: ThreadVersion): ThreadVersionSummary => ({ id: v.threadId, version: v.version, publishedAt: v.publishedAt, active: v.active });

// Compile-time drift checks where the shape mirrors a type the code already has, both ways.
type Assert<T extends true> = T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type FindingMatches = Assert<Same<{ [K in keyof Finding]: Finding[K] }, LintFinding>>;
export type DraftMatches = Assert<Same<Pick<RulesSource, 'id' | 'updatedAt' | 'source'>, ThreadDraft>>;
export type VersionSourceMatches = Assert<Same<Omit<ThreadVersion, 'threadId'>, Omit<ThreadVersionSource, 'id'>>>;
