// The conversation list's query checked and reduced to plain conditions, and a fetched page cut into rows and a cursor, the same for every store.
import { StoreError } from './store-error.ts';
import { CONVERSATION_PAGE_MAX, type ConversationListQuery, type ConversationPage, type ConversationSummary } from './store.port.ts';
import { isoTimestamp } from './timestamps.ts';

/** The status columns a list may filter on, by the query's names. */
const COLUMNS = { widgetId: 'widget_id', profileId: 'profile_id', scenario: 'scenario', status: 'status', authStatus: 'auth_status' } as const;

export interface ListPlan {
  /** Column = value conditions, in a fixed order so equal shapes give equal SQL. */
  equals: { column: (typeof COLUMNS)[keyof typeof COLUMNS]; value: string }[];
  from: string | null;
  to: string | null;
  after: { createdAt: string; id: string } | null;
  /** One more row than asked for: its presence says there is a next page. */
  fetch: number;
  limit: number;
}

export function planList(q: ConversationListQuery): ListPlan {
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > CONVERSATION_PAGE_MAX) {
    throw new StoreError('value_invalid', `limit must be an integer from 1 to ${CONVERSATION_PAGE_MAX}, got ${q.limit}.`);
  }
  const equals: ListPlan['equals'] = [];
  for (const [key, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, ListPlan['equals'][number]['column']][]) {
    const value = q[key];
    if (value !== undefined) equals.push({ column, value });
  }
  if (q.after && typeof q.after.id !== 'string') throw new StoreError('value_invalid', 'after.id must be a string.');
  return {
    equals,
    from: q.from === undefined ? null : isoTimestamp(q.from, 'from'),
    to: q.to === undefined ? null : isoTimestamp(q.to, 'to'),
    after: q.after ? { createdAt: isoTimestamp(q.after.createdAt, 'after.createdAt'), id: q.after.id } : null,
    fetch: q.limit + 1,
    limit: q.limit,
  };
}

/** A shape key for caching prepared statements: which conditions are present, never their values. */
export const planShape = (p: ListPlan): string => [...p.equals.map((e) => e.column), p.from ? 'from' : '', p.to ? 'to' : '', p.after ? 'after' : ''].join(',');

/** Rows fetched with `plan.fetch` (limit + 1) as a page: the extra row only tells that a next page exists. */
export function toPage(rows: ConversationSummary[], plan: ListPlan): ConversationPage {
  const conversations = rows.slice(0, plan.limit);
  const last = conversations.at(-1);
  return { conversations, next: rows.length > plan.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}
