// Compiles a YAML thread written in a test and lints it, with the same locator validate uses.
import { loadSource } from '../../src/core/load.ts';
import { keyLocator } from '../../src/lint/locate.ts';
import { lintThread, lintWidget, type Finding } from '../../src/lint/index.ts';

export function lintYaml(text: string, file = 'crafted.yaml'): Finding[] {
  const loaded = loadSource(text, file);
  if (loaded.kind !== 'thread') throw new Error('expected a thread');
  return lintThread(loaded.thread, keyLocator(text));
}

export function lintWidgetYaml(threadText: string, widgetText: string): Finding[] {
  const t = loadSource(threadText, 't.yaml');
  const w = loadSource(widgetText, 'w.yaml');
  if (t.kind !== 'thread' || w.kind !== 'widget') throw new Error('expected a thread and a widget');
  return lintWidget(w.widget, t.thread, keyLocator(widgetText), keyLocator(threadText));
}

export const codes = (fs: Finding[]) => fs.map((f) => f.code);
