/**
 * Character-level Traditional → Simplified table built from OpenCC's dictionaries (opencc-js).
 * Character level (not OpenCC's phrase level) so every output character maps back to exactly one
 * input character: evidence offsets stay exact, and phrases and text fold the same way.
 */
import { Locale } from 'opencc-js/t2cn';

type Dict = string | readonly (readonly [string, string])[];

let table: Map<number, string> | undefined;

function* pairs(dict: Dict): Generator<[string, string]> {
  if (typeof dict !== 'string') {
    yield* dict.map(([a, b]) => [a, b] as [string, string]);
    return;
  }
  for (const entry of dict.split('|')) {
    const [from, to] = entry.split(' ');
    if (from && to) yield [from, to];
  }
}

/** Single characters only: phrase entries would break the one-to-one offset map. */
function singleChars(groups: readonly (readonly Dict[])[] | undefined, into: Map<string, string>): void {
  for (const group of groups ?? [])
    for (const dict of group)
      for (const [from, to] of pairs(dict)) {
        if ([...from].length === 1 && [...to].length === 1 && !into.has(from)) into.set(from, to);
      }
}

function build(): Map<number, string> {
  const toStandard = new Map<string, string>();
  // Taiwan and Hong Kong variant forms (裡, 著…) → OpenCC standard Traditional first.
  singleChars(Locale.from.tw, toStandard);
  singleChars(Locale.from.hk, toStandard);
  const toSimplified = new Map<string, string>();
  singleChars(Locale.to.cn, toSimplified);
  const out = new Map<number, string>();
  for (const [t, s] of toSimplified) out.set(t.codePointAt(0)!, s);
  // A variant entry must not rewrite a character that is already Simplified (tw maps 么 → 幺).
  const simplified = new Set(toSimplified.values());
  for (const [v, std] of toStandard) {
    const s = toSimplified.get(std) ?? std;
    if (s !== v && !simplified.has(v) && !out.has(v.codePointAt(0)!)) out.set(v.codePointAt(0)!, s);
  }
  // Idempotent: folding already-folded text changes nothing, so phrases and text agree.
  for (const [cp, s] of out) {
    let t = s;
    for (let k = 0; k < 3 && out.has(t.codePointAt(0)!); k++) t = out.get(t.codePointAt(0)!)!;
    out.set(cp, t);
  }
  for (const [cp, s] of out) if (s.codePointAt(0) === cp) out.delete(cp);
  return out;
}

/** The Simplified form of one code point, or undefined when it has none. */
export function simplifiedOf(cp: number): string | undefined {
  table ??= build();
  return table.get(cp);
}
