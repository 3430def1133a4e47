// The zod schema of widget files: onboarding type, first message, login link, form, JWT settings.
import { z } from 'zod';
import { JwtSettingsSchema } from './jwt-settings.schema.ts';
import { CountrySchema, IdSchema } from './thread.schema.ts';

export const ONBOARDING_TYPES = ['none', 'code', 'form', 'optional_form'] as const;
export type OnboardingType = (typeof ONBOARDING_TYPES)[number];

export const FORM_FIELDS = ['name', 'email', 'phone'] as const;
export type FormField = (typeof FORM_FIELDS)[number];

export const WidgetSchema = z
  .object({
    kind: z.literal('widget'),
    id: IdSchema,
    name: z.string().optional(),
    onboarding: z
      .enum(ONBOARDING_TYPES)
      .describe('none: visitors; code: identity passed by the website (widget only for logged-in users); form: pre-chat form required; optional_form: form offered, may be skipped.'),
    thread: IdSchema.describe('The thread a conversation on this widget runs.'),
    firstMessage: z.string().max(4000).optional().describe('Said when a conversation starts (a template); customers who are not authenticated get the login link with it.'),
    loginUrl: z.string().url().optional().describe("The website's login page, offered to customers who are not authenticated."),
    form: z
      .object({
        fields: z.array(z.enum(FORM_FIELDS)).min(1).optional().describe('Fields of the pre-chat form (default: name, email, phone).'),
        require: z
          .enum(['name_and_contact', 'contact', 'email', 'phone'])
          .optional()
          .describe('What a valid submission must hold (default name_and_contact: a name and an email or a phone).'),
        text: z
          .string()
          .max(4000)
          .optional()
          .describe("What the onboarding's form request says (a template): shown with the form only, so customers who need no form never read it."),
      })
      .strict()
      .optional(),
    defaultCountry: CountrySchema.optional().describe('ISO country for phone numbers given without a +prefix.'),
    features: z
      .object({
        transcript: z.boolean().optional().describe('Identified and authenticated customers may request a transcript (default true).'),
        rating: z.boolean().optional().describe('Identified and authenticated customers may rate the chat (default true).'),
      })
      .strict()
      .optional(),
    jwt: JwtSettingsSchema.optional().describe('How User Identity JWTs for this widget are verified.'),
  })
  .strict();
export type WidgetDoc = z.infer<typeof WidgetSchema>;
