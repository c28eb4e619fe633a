// Batch redaction: reads text lines on stdin, writes each line redacted to stdout, in order.
//   npm run -s redact -- [--locale auto|zh-Hans|zh-Hant|en] [--patterns org-patterns.json] < in.txt > out.txt
// Output is flushed whenever input stops arriving, so it also works interactively and in pipelines.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { compilePatterns, normaliseLocale, type RedactOptions, redact } from '../lib/redact/index';

function options(): RedactOptions {
  const { values } = parseArgs({
    options: {
      locale: { type: 'string', default: 'auto' },
      patterns: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.error(
      'usage: npm run -s redact -- [--locale auto|zh-Hans|zh-Hant|en] [--patterns file.json] < in > out',
    );
    process.exit(0);
  }
  const opts: RedactOptions = { locale: normaliseLocale(values.locale) };
  if (values.patterns) opts.patterns = compilePatterns(JSON.parse(readFileSync(values.patterns, 'utf8')));
  return opts;
}

function main(): void {
  let opts: RedactOptions;
  try {
    opts = options();
  } catch (e) {
    console.error(`redact: ${(e as Error).message}`);
    process.exit(2);
  }
  const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  let pending: string[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const chunk = pending.join('');
    pending = [];
    // Respect back-pressure: stop reading until stdout has drained.
    if (!process.stdout.write(chunk)) {
      rl.pause();
      process.stdout.once('drain', () => rl.resume());
    }
  };
  rl.on('line', (line) => {
    pending.push(`${redact(line, opts).text}\n`);
    if (pending.length >= 1024) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
  rl.on('close', flush);
}

main();
