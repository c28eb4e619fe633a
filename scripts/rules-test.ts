/**
 * Shadow-test a rulebook on stored conversations before publishing it:
 *   npm run rules:test -- <rulebook.json> <transcripts.jsonl…> [--against old.json] [--examples N]
 * Prints, per rule, how many conversations it fires on, a few examples with the evidence
 * highlighted, and (with --against) which conversations change against the other version.
 */
import { readFileSync } from 'node:fs';
import { compileRulebook } from '../lib/rules';
import {
  diffShadow,
  highlight,
  parseTranscripts,
  runShadow,
  type StoredConversation,
} from '../lib/rules/shadow';

function usage(message?: string): never {
  if (message) console.error(message);
  console.error(
    'usage: npm run rules:test -- <rulebook.json> <transcripts.jsonl…> [--against old.json] [--examples N]',
  );
  process.exit(2);
}

const args = process.argv.slice(2);
let against: string | undefined;
let examples = 3;
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--against') against = args[++i] ?? usage('--against needs a file');
  else if (a === '--examples') examples = Number(args[++i] ?? usage('--examples needs a number'));
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else files.push(a);
}
const [bookPath, ...transcriptPaths] = files;
if (!bookPath || transcriptPaths.length === 0) usage();

function load(path: string) {
  const r = compileRulebook(JSON.parse(readFileSync(path, 'utf8')));
  if (!r.ok) {
    console.error(`${path} is not a valid rulebook:`);
    for (const e of r.errors) console.error(`  ${e.path || '(root)'}: ${e.message}`);
    process.exit(1);
  }
  return r.compiled;
}

const tty = process.stdout.isTTY;
const [open, close] = tty ? ['\x1b[1;31m', '\x1b[0m'] : ['[[', ']]'];
const compiled = load(bookPath);
const conversations: StoredConversation[] = [];
for (const p of transcriptPaths) {
  const parsed = parseTranscripts(readFileSync(p, 'utf8'));
  for (const problem of parsed.problems) console.error(`${p}:${problem.line}: skipped (${problem.message})`);
  conversations.push(...parsed.conversations);
}

const report = runShadow(compiled, conversations, examples);
console.log(
  `${report.rulebook.id}@${report.rulebook.version}: ${report.conversations} conversations, ${report.turns} turns\n`,
);
const width = Math.max(...report.rules.map((r) => r.ruleId.length), 4);
console.log(`${'rule'.padEnd(width)}  convs  share   hits`);
for (const r of report.rules) {
  const share = report.conversations ? (100 * r.conversations.length) / report.conversations : 0;
  console.log(
    `${r.ruleId.padEnd(width)}  ${String(r.conversations.length).padStart(5)}  ${share.toFixed(1).padStart(5)}%  ${String(r.hits).padStart(5)}`,
  );
}

console.log('\nexamples');
for (const r of report.rules)
  for (const ex of r.examples) {
    const spans = ex.hit.evidence.filter((e) => e.seq === ex.turn?.seq);
    const line =
      ex.hit.evidence.length === 0
        ? `(never said; settled ${ex.hit.at === 'finish' ? 'at the end' : `after #${ex.hit.seq}`})`
        : ex.turn
          ? `#${ex.turn.seq} ${ex.turn.speaker}: ${highlight(ex.turn.text, spans, open, close)}`
          : `#${ex.hit.seq}`;
    console.log(`  ${r.ruleId}  ${ex.conversationId}  ${line}`);
  }

if (against) {
  const old = runShadow(load(against), conversations, 0);
  console.log(`\ndiff against ${old.rulebook.id}@${old.rulebook.version}`);
  const diffs = diffShadow(report, old).filter((d) => d.status !== 'same');
  if (diffs.length === 0) console.log('  no rule fires on a different set of conversations');
  for (const d of diffs) {
    const detail = [
      d.gained.length ? `+${d.gained.join(' +')}` : '',
      d.lost.length ? `-${d.lost.join(' -')}` : '',
    ].filter(Boolean);
    console.log(
      `  ${d.status.padEnd(8)} ${d.ruleId.padEnd(width)}  ${d.before} → ${d.after}  ${detail.join('  ')}`,
    );
  }
}
