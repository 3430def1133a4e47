// How deep a parsed document nests, found without recursion, so a hostile file costs a loop and never the stack.

/** Rules files nest a handful of levels (a condition in a branch in a step); anything this deep is an attack or a slip. */
export const RULES_MAX_DEPTH = 64;

/** The path of the first value nested deeper than `limit`, or null. */
export function tooDeep(value: unknown, limit: number): (string | number)[] | null {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= limit) return path;
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, path: [...path, i] }));
    else for (const [k, x] of Object.entries(v)) stack.push({ v: x, path: [...path, k] });
  }
  return null;
}
