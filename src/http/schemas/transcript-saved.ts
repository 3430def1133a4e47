// What PUT /v1/transcripts/:name answers: the file it wrote and whether it replaced one.
import { z } from 'zod';

export const TranscriptSavedSchema = z
  .strictObject({
    name: z.string(),
    file: z.string().describe("The file's name in the transcripts folder: <name>.yaml."),
    replaced: z.boolean().describe('true (answered 200) when a transcript of this name was replaced; false (201) when created.'),
  })
  .meta({ id: 'TranscriptSaved' });
export type TranscriptSaved = z.infer<typeof TranscriptSavedSchema>;
