/**
 * Writes a synthetic corpus for the batch CLI:
 *   npm run gen:corpus -- <out.jsonl> [--conversations 2000] [--seed 11]
 */
import { parseArgs } from 'node:util';
import { writeCorpus } from './gen-corpus-lib';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { conversations: { type: 'string', default: '2000' }, seed: { type: 'string', default: '11' } },
});
const out = positionals[0];
if (!out) {
  process.stderr.write('usage: npm run gen:corpus -- <out.jsonl> [--conversations N] [--seed S]\n');
  process.exit(2);
}
await writeCorpus(out, { conversations: Number(values.conversations), seed: Number(values.seed) });
