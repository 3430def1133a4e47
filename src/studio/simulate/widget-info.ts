// What the simulator needs to know of a widget file: its onboarding, whether it verifies tokens, its form and login link.
import { parse } from 'yaml';

export const ONBOARDING_TYPES = ['none', 'code', 'form', 'optional_form'] as const;
export type Onboarding = (typeof ONBOARDING_TYPES)[number];

export interface WidgetInfo {
  id: string;
  thread: string | null;
  onboarding: Onboarding;
  /** Without JWT settings the runtime refuses every token with jwt_not_configured; so does the simulator. */
  hasJwt: boolean;
  issuer: string | null;
  /** What the verifier asks of every token beyond a signature: the identity claim, and required claims. */
  identity: 'email' | 'phone' | 'email_or_phone';
  requiredClaims: string[];
  defaultCountry: string | null;
  loginUrl: string | null;
  formFields: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** Reads the fields leniently: the server compiles the widget on every turn and reports what is wrong with it. */
export function widgetInfo(source: string): WidgetInfo {
  let doc: unknown;
  try {
    doc = parse(source, { maxAliasCount: 50 });
  } catch {
    doc = null;
  }
  const w = isObj(doc) ? doc : {};
  const jwt = isObj(w.jwt) ? w.jwt : null;
  const form = isObj(w.form) ? w.form : {};
  const issuer = jwt ? (Array.isArray(jwt.issuer) ? str(jwt.issuer[0]) : str(jwt.issuer)) : null;
  const onboarding = ONBOARDING_TYPES.find((t) => t === w.onboarding) ?? 'none';
  return {
    id: str(w.id) ?? '',
    thread: str(w.thread),
    onboarding,
    hasJwt: jwt !== null,
    issuer,
    identity: jwt?.identity === 'email' || jwt?.identity === 'phone' ? jwt.identity : 'email_or_phone',
    requiredClaims: Array.isArray(jwt?.requiredClaims) ? jwt.requiredClaims.filter((c): c is string => typeof c === 'string') : [],
    defaultCountry: str(w.defaultCountry),
    loginUrl: str(w.loginUrl),
    formFields: Array.isArray(form.fields) ? form.fields.filter((f): f is string => typeof f === 'string') : ['name', 'email', 'phone'],
  };
}
