// The timeline page read both stores share: the query checked, the SQL shape planned, the extra row read as "more".
import { StoreError } from './store-error.ts';
import { TIMELINE_PAGE_MAX, type TimelineEntry, type TimelinePage, type TimelinePageQuery } from './store.port.ts';

export interface TimelinePlan {
  limit: number;
  before: number | undefined;
  after: number | undefined;
  party: number | undefined;
  /** Forward (ascending from `after`) or backward (descending from `before` or the end). */
  forward: boolean;
}

const bound = (name: string, v: unknown): void => {
  if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)) {
    throw new StoreError('value_invalid', `${name} must be a non-negative integer (a seq), got ${String(v)}.`);
  }
};

export function planTimelinePage(q: TimelinePageQuery): TimelinePlan {
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > TIMELINE_PAGE_MAX) {
    throw new StoreError('value_invalid', `limit must be an integer from 1 to ${TIMELINE_PAGE_MAX}, got ${q.limit}.`);
  }
  bound('before', q.before);
  bound('after', q.after);
  bound('party', q.party);
  return { limit: q.limit, before: q.before, after: q.after, party: q.party, forward: q.after !== undefined };
}

/** A key naming the statement a plan needs (which filters, which direction). */
export const timelineShape = (p: TimelinePlan): string =>
  `${p.party !== undefined ? 'p' : ''}${p.before !== undefined ? 'b' : ''}${p.after !== undefined ? 'a' : ''}${p.forward ? '+' : '-'}`;

/**
 * The SQL of a plan, placeholders made by `param(name)`; it reads limit + 1 rows in the page's direction on the
 * (conversation_id, seq) index so the extra row says whether more remain.
 */
/** What a page reads of each entry, in this order; not conversation_id, which the caller passed (a 36-character string per row). */
export const PAGE_COLUMNS = ['seq', 'turn', 'party', 'sender', 'text', 'trusted', 'at'] as const;

export function timelineSql(p: TimelinePlan, param: (name: 'id' | 'party' | 'before' | 'after' | 'n') => string): string {
  const where = [`conversation_id = ${param('id')}`];
  if (p.party !== undefined) where.push(`party = ${param('party')}`);
  if (p.before !== undefined) where.push(`seq < ${param('before')}`);
  if (p.after !== undefined) where.push(`seq > ${param('after')}`);
  return `SELECT ${PAGE_COLUMNS.join(', ')} FROM timeline_entries WHERE ${where.join(' AND ')} ORDER BY seq ${p.forward ? 'ASC' : 'DESC'} LIMIT ${param('n')}`;
}

/** The page from the limit + 1 rows read in the plan's direction. */
export function timelinePageOf(p: TimelinePlan, rows: TimelineEntry[]): TimelinePage {
  const hasMore = rows.length > p.limit;
  const page = rows.slice(0, p.limit);
  return { entries: p.forward ? page : page.reverse(), hasMore };
}
