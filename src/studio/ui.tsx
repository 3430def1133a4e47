// Small shared pieces of the studio: routing by URL path, links, a confirmation dialog, notices, lazy screens.
import type { ComponentChildren, FunctionComponent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export const BASE = '/studio';

export function navigate(path: string) {
  history.pushState(null, '', `${BASE}${path}`);
  window.dispatchEvent(new Event('tg-navigate'));
}

/** The path under /studio ("/threads/returns"); re-renders on back/forward and on navigate(). */
export function usePath(): string {
  const read = () => location.pathname.replace(/^\/studio\/?/, '/').replace(/\/+$/, '') || '/';
  const [path, setPath] = useState(read);
  useEffect(() => {
    const on = () => setPath(read());
    window.addEventListener('popstate', on);
    window.addEventListener('tg-navigate', on);
    return () => {
      window.removeEventListener('popstate', on);
      window.removeEventListener('tg-navigate', on);
    };
  }, []);
  return path;
}

export function Link({ to, children, class: cls }: { to: string; children: ComponentChildren; class?: string }) {
  return (
    <a
      href={`${BASE}${to}`}
      class={cls}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

/** A modal question; the primary button says what happens (never just "OK"). */
export function Confirm({ title, children, action, danger, onConfirm, onCancel, busy }: { title: string; children: ComponentChildren; action: string; danger?: boolean; onConfirm: () => void; onCancel: () => void; busy?: boolean }) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div class="backdrop" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-label={title}>
        <h2>{title}</h2>
        <div class="dialog-body">{children}</div>
        <div class="dialog-actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" ref={ref} class={danger ? 'danger' : 'primary'} onClick={onConfirm} disabled={busy}>
            {action}
          </button>
        </div>
      </div>
    </div>
  );
}

export function Notice({ kind, children }: { kind: 'ok' | 'error' | 'info'; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** A screen loaded on first use, so the key screen and the lists do not pay for CodeMirror and ELK. */
export function lazyScreen<P>(load: () => Promise<FunctionComponent<P>>): FunctionComponent<P> {
  let loaded: FunctionComponent<P> | null = null;
  return (props: P) => {
    const [C, setC] = useState<FunctionComponent<P> | null>(() => loaded);
    const [err, setErr] = useState<string | null>(null);
    useEffect(() => {
      if (!C)
        load().then(
          (c) => {
            loaded = c;
            setC(() => c);
          },
          (e: unknown) => setErr(String(e)),
        );
    }, []);
    if (err) return <Notice kind="error">Could not load this screen: {err}</Notice>;
    return C ? <C {...(props as P & object)} /> : <div class="loading">Loading…</div>;
  };
}

export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—');
