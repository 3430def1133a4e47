// Locates a field by the line of its key (`orphan:`), not of its value, so step findings point at the step's name.
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { PathKey } from '../core/zod-issues.ts';
import type { Locator } from './types.ts';

/** Like parseSource's locate (the nearest existing node), but a map entry is found at its key. */
export function keyLocator(text: string): Locator {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  return (path: readonly PathKey[]) => {
    let node: unknown = doc.contents;
    let offset: number | undefined = (doc.contents as Node | null)?.range?.[0];
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
        if (!pair) break;
        offset = (pair.key as Node | null)?.range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number' && node.items[key]) {
        node = node.items[key];
        offset = (node as Node).range?.[0] ?? offset;
      } else break;
    }
    if (offset === undefined) return undefined;
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
}
