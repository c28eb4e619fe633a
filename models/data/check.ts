/**
 * Validates the authored training data and prints counts per language, label, tag and origin.
 * Usage: npx tsx models/data/check.ts [emotion|intent] [lang]
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AGENT_ACTS, CUSTOMER_INTENTS, Channel, EMOTIONS, INTENTS, Lang } from '../../lib/labels';

export const DOMAINS = ['ecommerce', 'finance', 'telecom', 'airline', 'logistics', 'insurance', 'utilities', 'general'] as const;
export const TAGS = [
  'negation', 'sarcasm', 'polite_complaint', 'calm_negative', 'question', 'short', 'no_profanity_anger',
  'agent_curt', 'mixed_lang', 'typo', 'emoji', 'asr', 'cantonese', 'threat', 'perfunctory_thanks',
  'billing_question', 'investment_question',
] as const;

export const Example = z.object({
  text: z.string().min(1).max(400),
  label: z.string(),
  speaker: z.enum(['agent', 'customer']),
  lang: Lang,
  domain: z.enum(DOMAINS),
  channel: Channel,
  origin: z.enum(['written', 'template']),
  tags: z.array(z.enum(TAGS)).default([]),
  /** Previous turn, when the label depends on it. */
  context: z.string().max(400).optional(),
});
export type Example = z.infer<typeof Example>;

export const TASKS = { emotion: EMOTIONS as readonly string[], intent: INTENTS as readonly string[] };
export type Task = keyof typeof TASKS;

export function loadExamples(task: Task, root = new URL('.', import.meta.url).pathname): { examples: Example[]; errors: string[] } {
  const examples: Example[] = [];
  const errors: string[] = [];
  for (const lang of Lang.options) {
    const dir = join(root, lang);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((n) => n.startsWith(task) && n.endsWith('.jsonl')).sort()) {
      const lines = readFileSync(join(dir, f), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (!line.trim()) return;
        const where = `${lang}/${f}:${i + 1}`;
        let raw: unknown;
        try { raw = JSON.parse(line); } catch { errors.push(`${where}: not JSON`); return; }
        const r = Example.safeParse(raw);
        if (!r.success) { errors.push(`${where}: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`); return; }
        const ex = r.data;
        if (ex.lang !== lang) errors.push(`${where}: lang ${ex.lang} in folder ${lang}`);
        if (!TASKS[task].includes(ex.label)) errors.push(`${where}: unknown ${task} label ${ex.label}`);
        if (task === 'intent') {
          const agentLabel = (AGENT_ACTS as readonly string[]).includes(ex.label);
          if (agentLabel !== (ex.speaker === 'agent')) errors.push(`${where}: label ${ex.label} does not fit speaker ${ex.speaker}`);
        }
        examples.push(ex);
      });
    }
  }
  return { examples, errors };
}

function count<T>(xs: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const tasks = (process.argv[2] ? [process.argv[2]] : ['emotion', 'intent']) as Task[];
  const onlyLang = process.argv[3];
  let bad = 0;
  for (const task of tasks) {
    const { examples: all, errors } = loadExamples(task);
    const examples = onlyLang ? all.filter((e) => e.lang === onlyLang) : all;
    const seen = new Map<string, number>();
    for (const e of examples) seen.set(`${e.lang}|${e.text}`, (seen.get(`${e.lang}|${e.text}`) ?? 0) + 1);
    const dups = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
    console.log(`\n== ${task}: ${examples.length} examples`);
    console.log('by lang  ', count(examples, (e) => e.lang));
    console.log('by label ', count(examples, (e) => e.label));
    console.log('by speaker', count(examples, (e) => e.speaker), 'by channel', count(examples, (e) => e.channel));
    console.log('by origin', count(examples, (e) => e.origin), 'by domain', count(examples, (e) => e.domain));
    console.log('by tag   ', count(examples.flatMap((e) => e.tags.map((t) => ({ t }))), (x) => x.t));
    if (task === 'intent') console.log('customer labels', CUSTOMER_INTENTS.length, 'agent acts', AGENT_ACTS.length);
    if (dups.length) console.log(`duplicates (${dups.length}):`, dups.slice(0, 10));
    for (const e of errors.slice(0, 30)) console.log('ERROR', e);
    bad += errors.length;
  }
  process.exit(bad ? 1 : 0);
}
