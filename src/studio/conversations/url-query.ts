// Screen filters kept in the URL's query string, so a filtered list or report can be reloaded, shared and gone back to.
import { useEffect, useState } from 'preact/hooks';

export type QueryValues = Record<string, string>;

const read = (): QueryValues => Object.fromEntries(new URLSearchParams(location.search));

/**
 * The current query as an object, and a setter that rewrites it in place (replaceState: changing a filter is not a
 * new page for the back button). Back and forward re-read it.
 */
export function useUrlQuery(): [QueryValues, (next: QueryValues) => void] {
  const [values, setValues] = useState<QueryValues>(read);
  useEffect(() => {
    const on = () => setValues(read());
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  const set = (next: QueryValues) => {
    const q = new URLSearchParams(Object.entries(next).filter(([, v]) => v !== ''));
    const s = q.toString();
    history.replaceState(null, '', `${location.pathname}${s ? `?${s}` : ''}`);
    setValues(read());
  };
  return [values, set];
}

/** The list's last query, so "← Conversations" on a conversation goes back to the same filters. */
let listSearch = '';
export const rememberListSearch = (search: string): void => {
  listSearch = search;
};
export const lastListSearch = (): string => listSearch;
