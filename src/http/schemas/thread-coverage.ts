// What POST /v1/threads/:id/coverage answers: the thread's branches with their hits, and each transcript replayed.
import { z } from 'zod';
import { ERROR_CODES } from '../../core/errors.ts';
import type { CoverageAnswer as ReplayCoverageAnswer } from '../../replay/coverage-answer.ts';

/** One problem in a rules file or a transcript, as ThreadgateError carries it (core/errors.ts). */
export const IssueSchema = z
  .strictObject({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    file: z.string().optional(),
    line: z.number().int().optional(),
    column: z.number().int().optional(),
    id: z.string().optional(),
    step: z.string().optional(),
    field: z.string().optional(),
  })
  .meta({ id: 'Issue' });
export type Issue = z.infer<typeof IssueSchema>;

export const CoverageBranchSchema = z
  .strictObject({
    id: z.string().describe("The studio graph's edge id: `<step>><index>`, `<step>>fail` for onFail."),
    step: z.string(),
    index: z.number().int().nullable(),
    name: z.string().nullable(),
    to: z.string(),
    kind: z.enum(['next', 'default', 'on_fail', 'handler']),
    hits: z.number().int(),
  })
  .meta({ id: 'CoverageBranch' });

export const CoverageTranscriptSchema = z
  .strictObject({
    name: z.string(),
    ok: z.boolean(),
    failures: z.number().int().describe('Failed expectations.'),
    issues: z.array(IssueSchema).describe('Why it could not be read or run.'),
  })
  .meta({ id: 'CoverageTranscript' });

export const CoverageAnswerSchema = z
  .strictObject({
    threadId: z.string(),
    total: z.number().int(),
    covered: z.number().int(),
    branches: z.array(CoverageBranchSchema),
    checked: z.enum(['body', 'draft', 'active']).describe('Which thread source ran.'),
    transcripts: z.array(CoverageTranscriptSchema),
  })
  .meta({ id: 'CoverageAnswer' });
export type CoverageAnswer = z.infer<typeof CoverageAnswerSchema>;

// Compile-time drift check against the replay's own type (the CLI's --json prints the same), both ways.
type Assert<T extends true> = T;
export type ReplayFitsSchema = Assert<ReplayCoverageAnswer extends CoverageAnswer ? true : false>;
export type SchemaFitsReplay = Assert<CoverageAnswer extends ReplayCoverageAnswer ? true : false>;
