/**
 * Compiles a rulebook once: validates it (every problem with its JSON path), normalises every
 * phrase the way text will be normalised, and builds one automaton for all phrases of all rules.
 */
import type { FindingKind } from '../finding';
import { foldHomophones, normalisePhrase, pinyinOf } from '../normalise';
import { buildAutomaton } from './automaton';
import { checkRegex } from './regex-guard';
import { type Condition, type PhraseEntry, type Rule, Rulebook, type SpeakerScope } from './schema';
import type { Atom, CompiledRule, CompileError, CompileResult, Node, PatternSet } from './types';

const LAZY_KINDS = new Set<Node['k']>([
  'all',
  'any',
  'phrase',
  'near',
  'seen',
  'order',
  'after',
  'count',
  'window',
]);
const HAN_RE = /\p{Script=Han}/u;
const WORD_UNIT = /[a-z0-9]/;

class PatternRegistry {
  private readonly ids = new Map<string, number>();
  private readonly refs: number[][] = [];
  add(pattern: string, atom: number): void {
    let id = this.ids.get(pattern);
    if (id === undefined) {
      id = this.refs.length;
      this.ids.set(pattern, id);
      this.refs.push([]);
    }
    const r = this.refs[id]!;
    if (r[r.length - 1] !== atom) r.push(atom);
  }
  get size(): number {
    return this.refs.length;
  }
  build(): PatternSet {
    const patterns = [...this.ids.keys()];
    const atomStart = new Int32Array(patterns.length + 1);
    this.refs.forEach((r, i) => {
      atomStart[i + 1] = atomStart[i]! + r.length;
    });
    const atomList = Int32Array.from(this.refs.flat());
    const boundary = Uint8Array.from(
      patterns,
      (p) => (WORD_UNIT.test(p[0]!) ? 1 : 0) | (WORD_UNIT.test(p[p.length - 1]!) ? 2 : 0),
    );
    return { automaton: buildAutomaton(patterns), atomStart, atomList, boundary };
  }
}

function kindOf(rule: Rule): FindingKind {
  if (rule.category === 'hint') return 'hint';
  if (rule.severity === 'critical' || rule.severity === 'auto-fail') return 'violation';
  return rule.severity === 'warning' ? 'warning' : 'hint';
}

class Compiler {
  readonly errors: CompileError[] = [];
  readonly atoms: Atom[] = [];
  readonly phrases = new PatternRegistry();
  readonly homophones = new PatternRegistry();
  nodeCount = 0;

  private atom(
    list: PhraseEntry[],
    path: string,
    opts: { negation: boolean; window: number | undefined; homophones: boolean },
  ) {
    const atom = this.atoms.length;
    this.atoms.push({ negationAware: opts.negation, negationWindow: opts.window });
    list.forEach((entry, i) => {
      const e = typeof entry === 'string' ? { text: entry } : entry;
      const texts = [e.text, ...(e.variants ?? [])];
      const sounds = e.homophones ?? opts.homophones;
      for (const t of texts) {
        const norm = normalisePhrase(t);
        if (norm.trim() === '') {
          this.errors.push({ path: `${path}.${i}`, message: `"${t}" has no letters or digits to match` });
          continue;
        }
        this.phrases.add(norm, atom);
        if (sounds && HAN_RE.test(t)) {
          this.homophones.add(foldHomophones(norm), atom);
          for (const sep of ['', ' ']) this.phrases.add(normalisePhrase(pinyinOf(t, sep)), atom);
        }
      }
    });
    return atom;
  }

  node(c: Condition, path: string, speaker: SpeakerScope): Node {
    const id = this.nodeCount++;
    const sp = (s: SpeakerScope | undefined) => s ?? speaker;
    switch (c.type) {
      case 'all':
      case 'any':
        return {
          k: c.type,
          id,
          kids: c.conditions.map((k, i) => this.node(k, `${path}.conditions.${i}`, speaker)),
        };
      case 'not':
        return { k: 'not', id, kid: this.node(c.condition, `${path}.condition`, speaker) };
      case 'phrase': {
        const atom = this.atom(c.phrases, `${path}.phrases`, {
          negation: c.negationAware ?? false,
          window: c.negationWindow,
          homophones: c.homophones ?? false,
        });
        return { k: 'phrase', id, atom, speaker: sp(c.speaker) };
      }
      case 'near': {
        const plain = { negation: false, window: undefined, homophones: false };
        return {
          k: 'near',
          id,
          a: this.atom(c.a, `${path}.a`, plain),
          b: this.atom(c.b, `${path}.b`, plain),
          within: c.within,
          words: c.unit === 'words',
          ordered: c.ordered ?? false,
          speaker: sp(c.speaker),
        };
      }
      case 'regex': {
        const check = checkRegex(c.pattern, c.flags ?? '');
        if (!check.ok) this.errors.push({ path: `${path}.pattern`, message: check.message });
        const re = check.ok ? new RegExp(c.pattern, `${c.flags ?? ''}g`) : /$^/g;
        return { k: 'regex', id, re, speaker: sp(c.speaker) };
      }
      case 'emotion':
      case 'intent':
        return {
          k: 'label',
          id,
          which: c.type,
          labels: Array.isArray(c.label) ? c.label : [c.label],
          minProb: c.minProb,
          speaker: sp(c.speaker),
        };
      case 'metric':
        return { k: 'metric', id, metric: c.metric, op: c.op, value: c.value, speaker: sp(c.speaker) };
      case 'window':
        if (c.firstSeconds === undefined && c.firstTurns === undefined)
          this.errors.push({ path, message: 'a window needs firstSeconds or firstTurns' });
        return {
          k: 'window',
          id,
          kid: this.node(c.condition, `${path}.condition`, speaker),
          firstMs: c.firstSeconds === undefined ? undefined : c.firstSeconds * 1000,
          firstTurns: c.firstTurns,
          turnsOf: c.turnsOf ?? 'any',
        };
      case 'seen':
        return {
          k: 'seen',
          id,
          kid: this.node(c.condition, `${path}.condition`, speaker),
          strict: c.strict ?? false,
        };
      case 'absent':
        return { k: 'absent', id, kid: this.node(c.condition, `${path}.condition`, speaker) };
      case 'order':
        return { k: 'order', id, steps: c.steps.map((s, i) => this.node(s, `${path}.steps.${i}`, speaker)) };
      case 'after':
      case 'missingAfter':
        return {
          k: c.type,
          id,
          trigger: this.node(c.trigger, `${path}.trigger`, speaker),
          expect: this.node(c.expect, `${path}.expect`, speaker),
          turns: c.within?.turns,
          turnsOf: c.within?.turnsOf ?? 'any',
          ms: c.within?.seconds === undefined ? undefined : c.within.seconds * 1000,
        };
      case 'count':
        return {
          k: 'count',
          id,
          kid: this.node(c.condition, `${path}.condition`, speaker),
          atLeast: c.atLeast,
          withinTurns: c.withinTurns,
          withinMs: c.withinSeconds === undefined ? undefined : c.withinSeconds * 1000,
        };
      case 'streak':
        return {
          k: 'streak',
          id,
          kid: this.node(c.condition, `${path}.condition`, speaker),
          length: c.length,
          speaker: c.speaker,
        };
    }
  }
}

function walk(n: Node, visit: (n: Node) => void): void {
  visit(n);
  switch (n.k) {
    case 'all':
    case 'any':
      for (const k of n.kids) walk(k, visit);
      break;
    case 'order':
      for (const k of n.steps) walk(k, visit);
      break;
    case 'after':
    case 'missingAfter':
      walk(n.trigger, visit);
      walk(n.expect, visit);
      break;
    case 'not':
    case 'window':
    case 'seen':
    case 'absent':
    case 'count':
    case 'streak':
      walk(n.kid, visit);
      break;
    default:
  }
}

export function atomsOf(n: Node): number[] {
  const out: number[] = [];
  walk(n, (x) => {
    if (x.k === 'phrase') out.push(x.atom);
    else if (x.k === 'near') out.push(x.a, x.b);
  });
  return out;
}

function isLazy(n: Node): boolean {
  let lazy = true;
  walk(n, (x) => {
    lazy &&= LAZY_KINDS.has(x.k);
  });
  return lazy;
}

/** Validates and compiles; never throws on bad input. */
export function compileRulebook(json: unknown): CompileResult {
  const t0 = performance.now();
  const parsed = Rulebook.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    };
  const book = parsed.data;
  const c = new Compiler();
  const rules: CompiledRule[] = [];
  const seen = new Map<string, number>();
  book.rules.forEach((rule, i) => {
    const prev = seen.get(rule.id);
    if (prev !== undefined)
      c.errors.push({ path: `rules.${i}.id`, message: `duplicate of rules.${prev}.id` });
    seen.set(rule.id, i);
    if (!rule.enabled) return;
    const root = c.node(rule.when, `rules.${i}.when`, rule.scope.speaker);
    rules.push({
      index: rules.length,
      id: rule.id,
      source: rule,
      root,
      channel: rule.scope.channel,
      lazy: isLazy(root),
      kind: kindOf(rule),
    });
  });
  if (c.errors.length > 0) return { ok: false, errors: c.errors };
  const atomRules: number[][] = c.atoms.map(() => []);
  const eagerRules: number[] = [];
  for (const r of rules) {
    if (!r.lazy) eagerRules.push(r.index);
    else for (const a of new Set(atomsOf(r.root))) atomRules[a]!.push(r.index);
  }
  return {
    ok: true,
    compiled: {
      id: book.id,
      version: book.version,
      rules,
      atoms: c.atoms,
      phrases: c.phrases.build(),
      homophones: c.homophones.size > 0 ? c.homophones.build() : undefined,
      atomRules,
      eagerRules,
      nodeCount: c.nodeCount,
      compileMs: performance.now() - t0,
    },
  };
}
