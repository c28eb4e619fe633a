// Reads the labelled PII test set (test/fixtures/pii/*.txt): lines `<lang>\t<style>\t<text>` with PII
// marked `{{TYPE:original}}`. Shared by the quality test and the benchmark.
import { readFileSync } from 'node:fs';

export interface LabelledSpan {
  start: number;
  end: number;
  type: string;
}
export interface LabelledLine {
  lang: string;
  style: string;
  text: string;
  spans: LabelledSpan[];
  source: string;
}

const MARK = /\{\{([A-Z]+):(.*?)\}\}/g;

export function parseLabelledLine(line: string, source: string): LabelledLine {
  const [lang, style, marked] = line.split('\t');
  if (lang === undefined || style === undefined || marked === undefined)
    throw new Error(`${source}: bad line "${line}"`);
  const spans: LabelledSpan[] = [];
  let text = '';
  let last = 0;
  for (const m of marked.matchAll(MARK)) {
    text += marked.slice(last, m.index);
    const inner = m[2] ?? '';
    spans.push({ start: text.length, end: text.length + inner.length, type: m[1] ?? '' });
    text += inner;
    last = m.index + m[0].length;
  }
  text += marked.slice(last);
  return { lang, style, text, spans, source };
}

export function loadLabelled(path: URL): LabelledLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l, i) => ({ l, i }))
    .filter(({ l }) => l.trim() !== '' && !l.startsWith('#'))
    .map(({ l, i }) => parseLabelledLine(l, `${path.pathname.split('/').pop()}:${i + 1}`));
}

export const FIXTURE_DIR = new URL('../../fixtures/pii/', import.meta.url);

export function loadPiiTestSet(): LabelledLine[] {
  return [
    ...loadLabelled(new URL('handwritten.txt', FIXTURE_DIR)),
    ...loadLabelled(new URL('generated.txt', FIXTURE_DIR)),
  ];
}
