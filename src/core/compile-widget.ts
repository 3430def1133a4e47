// compileWidget(widgetDoc): validates a widget file and prepares its first message and form rules.
import { ThreadgateError } from './errors.ts';
import { checkFactPath } from './facts.ts';
import { parseTemplate, refsOf, type Template } from './template.ts';
import { WidgetSchema, type FormField, type OnboardingType, type WidgetDoc } from './widget.schema.ts';
import { issueAt, zodIssues, type IssueContext } from './zod-issues.ts';
import type { JwtSettings } from './jwt-settings.schema.ts';

export type FormRequirement = 'name_and_contact' | 'contact' | 'email' | 'phone';

export interface CompiledWidget {
  id: string;
  name: string | null;
  onboarding: OnboardingType;
  thread: string;
  firstMessage: Template | null;
  loginUrl: string | null;
  /** `text`: what the onboarding's form request says, rendered when the form is requested. */
  form: { fields: FormField[]; require: FormRequirement; text: Template | null };
  defaultCountry: string | null;
  features: { transcript: boolean; rating: boolean };
  jwt: JwtSettings | null;
  doc: WidgetDoc;
  file: string | null;
}

/** Validates a widget document; throws ThreadgateError naming the file, line and field. */
export function compileWidget(input: unknown, opts: IssueContext = {}): CompiledWidget {
  const parsed = WidgetSchema.safeParse(input);
  if (!parsed.success) throw ThreadgateError.fromIssues(zodIssues(parsed.error, opts));
  const doc = parsed.data;
  const ctx = { ...opts, id: doc.id };
  const fields = doc.form?.fields ?? ['name', 'email', 'phone'];
  const require = doc.form?.require ?? 'name_and_contact';
  const needs: Record<typeof require, FormField[][]> = {
    name_and_contact: [['name'], ['email', 'phone']],
    contact: [['email', 'phone']],
    email: [['email']],
    phone: [['phone']],
  };
  for (const anyOf of needs[require]) {
    if (!anyOf.some((f) => fields.includes(f))) {
      const message = `form.require "${require}" needs the field ${anyOf.join(' or ')}, which form.fields does not offer: no submission could ever be valid`;
      throw ThreadgateError.fromIssues([issueAt('schema_invalid', ['form', 'require'], message, ctx)]);
    }
  }
  const firstMessage = doc.firstMessage ? widgetTemplate(doc.firstMessage, ['firstMessage'], ctx) : null;
  const formText = doc.form?.text ? widgetTemplate(doc.form.text, ['form', 'text'], ctx) : null;
  return {
    id: doc.id,
    name: doc.name ?? null,
    onboarding: doc.onboarding,
    thread: doc.thread,
    firstMessage,
    loginUrl: doc.loginUrl ?? null,
    form: { fields, require, text: formText },
    defaultCountry: doc.defaultCountry ?? null,
    features: { transcript: doc.features?.transcript ?? true, rating: doc.features?.rating ?? true },
    jwt: doc.jwt ?? null,
    doc,
    file: opts.file ?? null,
  };
}

/** Parses a widget template and checks its facts; a widget declares no slots, so `slots` is unknown here. */
function widgetTemplate(source: string, at: (string | number)[], ctx: IssueContext): Template {
  let t: Template;
  try {
    t = parseTemplate(source);
  } catch (err) {
    throw ThreadgateError.fromIssues([issueAt('template_invalid', at, (err as Error).message, ctx)]);
  }
  for (const part of t.parts) {
    if (typeof part === 'string') continue;
    for (const ref of refsOf(part)) {
      const check = checkFactPath(ref.fact, ref.path, new Set());
      if (!check.ok) {
        const code = check.code === 'fact_unknown' ? 'template_fact_unknown' : check.code;
        throw ThreadgateError.fromIssues([issueAt(code, at, `${part.source}: ${check.message}`, ctx)]);
      }
    }
  }
  return t;
}
