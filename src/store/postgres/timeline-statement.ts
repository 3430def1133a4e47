// The statement a PostgreSQL timeline page is read with: the page's SELECT with sorting switched off around it, in one round trip.
import pg from 'pg';
import { planTimelinePage, timelineSql, type TimelinePlan } from '../timeline-page.ts';
import type { TimelinePageQuery } from '../store.port.ts';

/**
 * Statistics say a conversation has a few entries (the average), so for a long one the planner may bitmap-scan all
 * of its entries and sort them, O(conversation) per page, since for "a few" rows any plan looks as cheap. With
 * sorting off for this one statement it takes the ordered range of the (conversation_id, seq) key and stops once the
 * page is full: what the page costs no longer depends on the estimate.
 * SET LOCAL lasts to the end of the statement's implicit transaction, or of a turn's; the reset covers the latter.
 */
const SORT_OFF = 'SET LOCAL enable_sort = off';
const SORT_BACK = 'SET LOCAL enable_sort TO DEFAULT';

/** The page's SELECT with its values written in (all integers checked by planTimelinePage, the id quoted). */
export function timelineSelect(conversationId: string, q: TimelinePageQuery): { plan: TimelinePlan; select: string } {
  const plan = planTimelinePage(q);
  const byName = { id: pg.escapeLiteral(conversationId), party: plan.party, before: plan.before, after: plan.after, n: plan.limit + 1 };
  return { plan, select: timelineSql(plan, (name) => String(byName[name])) };
}

/** Three statements of one simple query; the rows are the second result's. */
export function timelineStatement(conversationId: string, q: TimelinePageQuery): { plan: TimelinePlan; sql: string; rowsAt: number } {
  const { plan, select } = timelineSelect(conversationId, q);
  return { plan, sql: `${SORT_OFF}; ${select}; ${SORT_BACK}`, rowsAt: 1 };
}

/** EXPLAIN of the page as the store reads it (the same settings), for the plan test and bench/timeline.ts. */
export function timelineExplain(conversationId: string, q: TimelinePageQuery, options: string): { sql: string; rowsAt: number } {
  return { sql: `${SORT_OFF}; EXPLAIN (${options}) ${timelineSelect(conversationId, q).select}; ${SORT_BACK}`, rowsAt: 1 };
}
