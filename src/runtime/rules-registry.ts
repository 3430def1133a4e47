// Compiled threads (per version) and widgets (with their token verifiers) from the store, compiled once and cached.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTokenVerifier, resolveJwtSettings, type TokenVerifier } from '../auth/index.ts';
import type { CompiledThread } from '../core/compile.ts';
import type { CompiledWidget } from '../core/compile-widget.ts';
import { ThreadgateError } from '../core/errors.ts';
import { loadSource } from '../core/load.ts';
import { loadRulesDir } from '../rules/load-rules-dir.ts';
import type { RulesRepository, Store } from '../store/store.port.ts';

export interface LoadedWidget {
  widget: CompiledWidget;
  verifier: TokenVerifier | null;
}

export interface SeedReport {
  published: { threadId: string; version: number }[];
  widgets: string[];
}

function compileThreadSource(source: string, file: string): CompiledThread {
  const loaded = loadSource(source, file);
  if (loaded.kind !== 'thread') throw new ThreadgateError('kind_unknown', `${file} holds a widget, not a thread`);
  return loaded.thread;
}

/**
 * The runtime's view of the rules. Thread versions are immutable, so a compiled version is cached for good.
 * Widgets and the active version of each thread are cached with the store's rules generation at which they
 * were read: while the store reports the same generation (it increments it in the transaction of every admin
 * change, on every instance's shared database) the cached entry is current and no rules row is read.
 */
export class RulesRegistry {
  private readonly threads = new Map<string, CompiledThread>();
  private readonly widgets = new Map<string, { source: string; loaded: LoadedWidget; generation: number }>();
  private readonly active = new Map<string, { version: number; generation: number }>();
  private readonly verifiers = new WeakMap<CompiledWidget, TokenVerifier | null>();

  private readonly rules: RulesRepository;

  /** Takes the store (of which it uses only the rules), so callers need not know the repositories. */
  constructor(
    store: Pick<Store, 'rules'>,
    private readonly env: Record<string, string | undefined>,
  ) {
    this.rules = store.rules;
  }

  /** Compiles a widget source and resolves its JWT keys; throws on any problem, so bad config never goes live. */
  async prepareWidget(source: string, file: string): Promise<LoadedWidget> {
    const loaded = loadSource(source, file);
    if (loaded.kind !== 'widget') throw new ThreadgateError('kind_unknown', `${file} holds a thread, not a widget`);
    const widget = loaded.widget;
    const verifier = widget.jwt ? createTokenVerifier(await resolveJwtSettings(widget.jwt, this.env)) : null;
    this.verifiers.set(widget, verifier);
    return { widget, verifier };
  }

  /**
   * The widget as of rules generation `generation` (read by the caller with its conversation, or here when
   * absent). The generation is read before the row, so an entry is never stamped newer than what it holds.
   */
  async widget(id: string, generation?: number): Promise<LoadedWidget | null> {
    const g = generation ?? (await this.rules.generation());
    const cached = this.widgets.get(id);
    if (cached && cached.generation === g) return cached.loaded;
    const row = await this.rules.getWidget(id);
    if (!row) {
      this.widgets.delete(id);
      return null;
    }
    // Same source under a newer generation (another widget changed): keep the compiled one, restamp it.
    const loaded = cached && cached.source === row.source ? cached.loaded : await this.prepareWidget(row.source, `widget ${id}`);
    this.widgets.set(id, { source: row.source, loaded, generation: g });
    return loaded;
  }

  verifierFor = (widget: CompiledWidget): TokenVerifier | null => this.verifiers.get(widget) ?? null;

  /** The store's rules generation now, for a caller that reads a widget and a thread as of one generation. */
  generation(): Promise<number> {
    return this.rules.generation();
  }

  async thread(id: string, version: number): Promise<CompiledThread | null> {
    const key = `${id}@${version}`;
    const hit = this.threads.get(key);
    if (hit) return hit;
    const row = await this.rules.getThreadVersion(id, version);
    if (!row) return null;
    const compiled = compileThreadSource(row.source, `thread ${id} v${version}`);
    this.threads.set(key, compiled);
    return compiled;
  }

  /** The active version of a thread as of rules generation `generation` (read here when absent), compiled. */
  async activeThread(id: string, generation?: number): Promise<{ thread: CompiledThread; version: number } | null> {
    const g = generation ?? (await this.rules.generation());
    const cached = this.active.get(id);
    let version = cached && cached.generation === g ? cached.version : null;
    if (version === null) {
      const row = await this.rules.getActiveThreadVersion(id);
      if (!row) {
        this.active.delete(id);
        return null;
      }
      version = row.version;
      this.active.set(id, { version, generation: g });
    }
    const thread = await this.thread(id, version);
    return thread ? { thread, version } : null;
  }

  /**
   * Loads a rules folder into the store: a thread whose file differs from its active version is published
   * as a new version; widgets are replaced by their files. Everything is checked before anything is written.
   */
  async seedFromDir(dir: string, now: string): Promise<SeedReport> {
    const rules = await loadRulesDir(dir);
    const sources = new Map<string, string>();
    for (const t of rules.threads.values()) sources.set(`thread:${t.id}`, await readFile(t.file ?? join(dir, `${t.id}.yaml`), 'utf8'));
    for (const w of rules.widgets.values()) {
      const source = await readFile(w.file ?? join(dir, `${w.id}.yaml`), 'utf8');
      await this.prepareWidget(source, w.file ?? w.id);
      sources.set(`widget:${w.id}`, source);
    }
    const report: SeedReport = { published: [], widgets: [] };
    for (const t of rules.threads.values()) {
      const source = sources.get(`thread:${t.id}`)!;
      const active = await this.rules.getActiveThreadVersion(t.id);
      if (active?.source === source) continue;
      await this.rules.putThreadDraft(t.id, source, now);
      const v = await this.rules.publishThread(t.id, now);
      if (v) report.published.push({ threadId: t.id, version: v.version });
    }
    for (const w of rules.widgets.values()) {
      const source = sources.get(`widget:${w.id}`)!;
      const current = await this.rules.getWidget(w.id);
      if (current?.source !== source) await this.rules.putWidget(w.id, source, now);
      report.widgets.push(w.id);
    }
    return report;
  }
}
