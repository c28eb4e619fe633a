/**
 * What the HTML report and the summary need, accumulated conversation by conversation in bounded
 * memory, and plain JSON so a checkpoint can carry it across `--resume`.
 */
import type { Emotion } from '../labels';
import type { ConversationResult, EmotionCounts, EvidenceExample } from './analyse';
import type { ImportProblem } from './types';

export const SCORE_BUCKETS = 10;
const EXAMPLES_PER_RULE = 3;
const MAX_AGENTS = 5000;
const MAX_PROBLEM_SAMPLES = 50;
export const OTHER_AGENTS = '(other agents)';
export const NO_AGENT = '(no agent id)';

export interface RuleStat {
  ruleId: string;
  title: string;
  severity: string;
  conversations: number;
  findings: number;
}

export interface AgentStat {
  conversations: number;
  scoreSum: number;
  passed: number;
  autoFailed: number;
  findings: number;
  angryCustomers: number;
}

export interface Aggregate {
  conversations: number;
  turns: number;
  findings: number;
  passed: number;
  autoFailed: number;
  scoreSum: number;
  histogram: number[];
  rules: Record<string, RuleStat>;
  emotions: { customer: EmotionCounts; agent: EmotionCounts };
  worstCustomer: EmotionCounts;
  agents: Record<string, AgentStat>;
  examples: Record<string, EvidenceExample[]>;
  skipped: { total: number; byReason: Record<string, number>; samples: string[] };
  dimensions: Record<string, { sum: number; n: number }>;
}

export function emptyAggregate(): Aggregate {
  return {
    conversations: 0,
    turns: 0,
    findings: 0,
    passed: 0,
    autoFailed: 0,
    scoreSum: 0,
    histogram: new Array(SCORE_BUCKETS).fill(0),
    rules: {},
    emotions: { customer: {}, agent: {} },
    worstCustomer: {},
    agents: {},
    examples: {},
    skipped: { total: 0, byReason: {}, samples: [] },
    dimensions: {},
  };
}

function addCounts(into: EmotionCounts, from: EmotionCounts): void {
  for (const [k, v] of Object.entries(from) as [Emotion, number][]) into[k] = (into[k] ?? 0) + v;
}

function entry<T>(o: Record<string, T>, k: string, make: () => T): T {
  const v = o[k];
  if (v !== undefined) return v;
  const made = make();
  o[k] = made;
  return made;
}

export function formatProblem(p: ImportProblem): string {
  return `${p.file}:${p.line}: ${p.reason}${p.detail ? ` (${p.detail})` : ''}`;
}

export function addProblem(a: Aggregate, p: ImportProblem): void {
  a.skipped.total++;
  a.skipped.byReason[p.reason] = (a.skipped.byReason[p.reason] ?? 0) + 1;
  if (a.skipped.samples.length < MAX_PROBLEM_SAMPLES) a.skipped.samples.push(formatProblem(p));
}

/**
 * What the aggregate needs from one analysed conversation: small enough to send from a worker
 * thread instead of the whole result (findings and evidence stay in the worker, already written
 * out as lines), and carrying everything in the order `addResult` reads it, so the aggregate is
 * the same as when it is built from the full results.
 */
export interface ConversationStat {
  agentId?: string;
  turns: number;
  total: number;
  passed: boolean;
  autoFailed: boolean;
  dimensions: Record<string, number>;
  findings: number;
  /** One entry per rule or model that fired, in order of its first finding: id, title, severity, count. */
  rules: [id: string, title: string, severity: string, findings: number][];
  examples: EvidenceExample[];
  emotions: { customer: EmotionCounts; agent: EmotionCounts };
  worst?: Emotion;
}

export function statOf(r: ConversationResult): ConversationStat {
  const rules: ConversationStat['rules'] = [];
  const at = new Map<string, number>();
  for (const f of r.findings) {
    const id = f.ruleId ?? f.model ?? 'unknown';
    const i = at.get(id);
    if (i === undefined) {
      at.set(id, rules.length);
      rules.push([id, f.names?.en ?? f.title ?? id, f.severity, 1]);
    } else rules[i]![3]++;
  }
  return {
    ...(r.agentId ? { agentId: r.agentId } : {}),
    turns: r.turns,
    total: r.score.total,
    passed: r.score.passed,
    autoFailed: r.score.autoFailed,
    dimensions: r.score.dimensions,
    findings: r.findings.length,
    rules,
    examples: r.examples,
    emotions: r.emotions,
    ...(r.worstCustomerEmotion ? { worst: r.worstCustomerEmotion } : {}),
  };
}

export function addResult(a: Aggregate, r: ConversationResult): void {
  if (r.error !== undefined) {
    addProblem(a, { file: r.origin, line: 0, reason: 'analysis failed', detail: r.error });
    return;
  }
  addStat(a, statOf(r));
}

export function addStat(a: Aggregate, r: ConversationStat): void {
  a.conversations++;
  a.turns += r.turns;
  a.findings += r.findings;
  a.scoreSum += r.total;
  if (r.passed) a.passed++;
  if (r.autoFailed) a.autoFailed++;
  a.histogram[Math.min(SCORE_BUCKETS - 1, Math.floor(r.total / (100 / SCORE_BUCKETS)))]!++;
  for (const [d, v] of Object.entries(r.dimensions)) {
    const s = entry(a.dimensions, d, () => ({ sum: 0, n: 0 }));
    s.sum += v;
    s.n++;
  }
  for (const [id, title, severity, n] of r.rules) {
    const st = entry(a.rules, id, () => ({ ruleId: id, title, severity, conversations: 0, findings: 0 }));
    st.findings += n;
    st.conversations++;
  }
  for (const ex of r.examples) {
    const list = entry(a.examples, ex.ruleId, () => []);
    if (list.length < EXAMPLES_PER_RULE) list.push(ex);
  }
  addCounts(a.emotions.customer, r.emotions.customer);
  addCounts(a.emotions.agent, r.emotions.agent);
  if (r.worst) a.worstCustomer[r.worst] = (a.worstCustomer[r.worst] ?? 0) + 1;
  let agent = r.agentId ?? NO_AGENT;
  if (!(agent in a.agents) && Object.keys(a.agents).length >= MAX_AGENTS) agent = OTHER_AGENTS;
  const ag = entry(a.agents, agent, () => ({
    conversations: 0,
    scoreSum: 0,
    passed: 0,
    autoFailed: 0,
    findings: 0,
    angryCustomers: 0,
  }));
  ag.conversations++;
  ag.scoreSum += r.total;
  if (r.passed) ag.passed++;
  if (r.autoFailed) ag.autoFailed++;
  ag.findings += r.findings;
  if (r.worst === 'angry') ag.angryCustomers++;
}
