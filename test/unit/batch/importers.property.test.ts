/**
 * Property tests for every importer (issue 12, fuzzing and property tests; issue 11: bad rows are
 * reported with file and line and skipped, a run never dies on one bad row). Random and hostile
 * bytes (invalid UTF-8, lone CRs, NULs, huge fields, stray quotes) never crash or hang an
 * importer; mixed good and bad rows keep every good row and report every bad one at its line.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IMPORTERS, chooseImporter, importerById } from '../../../lib/batch/importers';
import { DecodeError, bytesInput, textSource } from '../../../lib/batch/source';
import { ImportError, type ImportItem, type ImportOptions } from '../../../lib/batch/types';

const FILE = 'fuzz/input.dat';
const enc = new TextEncoder();

async function readAll(bytes: Uint8Array, format?: string, opts: Partial<ImportOptions> = {}, chunk = 13) {
  const source = textSource(bytesInput(bytes, chunk));
  const items: ImportItem[] = [];
  try {
    const importer = format ? importerById(format) : chooseImporter(source.head, FILE);
    for await (const item of importer.read(source, { file: FILE, ...opts })) items.push(item);
  } catch (e) {
    // A whole file may be refused, but only with a clear error the runner reports as an unreadable
    // file: bytes that are not text in the sniffed encoding (with the line), or an ImportError
    // naming the file (unknown format, no usable columns).
    if (e instanceof DecodeError) {
      expect(e.message).toMatch(/^line \d+: bytes that are not valid [\w-]+ text$/);
      return { refused: true, conversations: [], problems: [] };
    }
    expect(e).toBeInstanceOf(ImportError);
    expect((e as ImportError).file).toBe(FILE);
    expect((e as Error).message.length).toBeGreaterThan(FILE.length + 5);
    return { refused: true, conversations: [], problems: [] };
  }
  const conversations = items.flatMap((i) => (i.kind === 'conversation' ? [i.conversation] : []));
  const problems = items.flatMap((i) => (i.kind === 'problem' ? [i.problem] : []));
  return { refused: false, conversations, problems };
}

/** Invariants of whatever an importer yields, valid input or not. */
function checkShape(r: Awaited<ReturnType<typeof readAll>>, lineCount: number): void {
  for (const p of r.problems) {
    expect(p.file).toBe(FILE);
    expect(Number.isInteger(p.line)).toBe(true);
    expect(p.line).toBeGreaterThanOrEqual(0);
    expect(p.line).toBeLessThanOrEqual(lineCount + 1);
    expect(p.reason.length).toBeGreaterThan(0);
  }
  for (const c of r.conversations) {
    expect(typeof c.id).toBe('string');
    expect(c.origin.startsWith(FILE)).toBe(true);
    let last = -1;
    for (const t of c.turns) {
      expect(['agent', 'customer', 'system']).toContain(t.speaker);
      expect(['chat', 'voice']).toContain(t.channel);
      expect(typeof t.text).toBe('string');
      expect(Number.isFinite(t.ts)).toBe(true);
      expect(Number.isInteger(t.seq) && t.seq > last).toBe(true);
      last = t.seq;
    }
  }
}

const lines = (bytes: Uint8Array) => bytes.reduce((n, b) => n + (b === 10 ? 1 : 0), 0) + 1;

/** Bytes that hurt parsers: separators, quotes, CR/LF, NUL, a BOM, broken UTF-8 and GBK lead bytes. */
const hostileByte = fc.constantFrom(
  0x22,
  0x2c,
  0x3a,
  0x0d,
  0x0a,
  0x00,
  0x09,
  0x7b,
  0x7d,
  0x5b,
  0x5d,
  0x3c,
  0x3e,
  0xef,
  0xbb,
  0xbf,
  0xc3,
  0x28,
  0x80,
  0xff,
  0xfe,
  0xb0,
  0xa1,
  0xe4,
  0xbd,
  0xa0,
  0x2d,
  0x3e,
  0x3d,
);
const hostileBytes = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  fc.array(hostileByte, { maxLength: 600 }).map((a) => Uint8Array.from(a)),
);

/** Text pieces that look like each format, shuffled into nonsense. */
const formatish = fc.constantFrom(
  '{"conversationId":"c1","seq":0,"speaker":"agent","text":"您好"}',
  '{"conversationId":',
  'conversation_id,speaker,text\n',
  '会话ID,角色,内容\r\n',
  '"unterminated,field\n',
  '"a ""quoted"" one",x,y\n',
  'WEBVTT\n\n',
  '00:00:01.000 --> 00:00:02.000\n',
  '1\n00:00:01,000 --> 00:00:02,500\n',
  '<v Agent>hello</v>\n',
  '[10:01] 小王: 您好\n',
  '客户：我要投诉\n',
  '=== conv-9 ===\n',
  '{"CustomerMetadata":{"ContactId":"x"},"Participants":[],"Transcript":[',
  '{"ParticipantId":"A","Content":"hi","BeginOffsetMillis":-5}',
  '\r',
  '\n',
  '\u0000',
  '💥',
  '\ud800',
);
const formatishBytes = fc.array(formatish, { maxLength: 40 }).map((parts) => enc.encode(parts.join('')));

const RUNS = { numRuns: 150 };

describe('every importer on random and hostile bytes', () => {
  for (const imp of IMPORTERS) {
    it(`${imp.id}: never crashes, reports problems at real lines, yields well-formed turns`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(hostileBytes, formatishBytes),
          fc.integer({ min: 1, max: 64 }),
          async (bytes, chunk) => {
            checkShape(await readAll(bytes, imp.id, {}, chunk), lines(bytes));
          },
        ),
        RUNS,
      );
    });
  }

  it('sniffing picks an importer or refuses clearly, for any bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileBytes, formatishBytes), async (bytes) => {
        checkShape(await readAll(bytes), lines(bytes));
      }),
      RUNS,
    );
  });

  it('whole-document formats name the line of undecodable bytes too', async () => {
    // Found by the property above: a GB18030-sniffed file read whole (Contact Lens JSON) used to
    // say only "bytes that are not valid gb18030 text", without where.
    const bad = Uint8Array.from([0x81, 0x30, 0x00]);
    for (const chunk of [1, 64]) {
      const r = await readAll(bad, 'contact-lens', {}, chunk);
      checkShape(r, lines(bad));
    }
    // readAll asserts the refusal reads "line N: bytes that are not valid … text".
    expect((await readAll(bad, 'contact-lens', {}, 1)).refused).toBe(true);
  });

  it('survives huge fields and lines without a newline', async () => {
    const huge = 'x'.repeat(3_000_000);
    const inputs = [
      `${JSON.stringify({ conversationId: 'c', speaker: 'agent', text: huge })}\n`,
      `conversation,speaker,text\nc,agent,"${huge}\n`, // quoted field that never ends
      `conversation,speaker,text\nc,agent,${huge}\n`,
      `小王: ${huge}\n客户: 好的\n`,
      `WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Agent>${huge}\n`,
      `{"Transcript":[{"Content":"${huge}"}]}`,
    ];
    for (const [i, text] of inputs.entries()) {
      const bytes = enc.encode(text);
      for (const imp of IMPORTERS) {
        const r = await readAll(bytes, imp.id, {}, 64 * 1024);
        checkShape(r, lines(bytes));
        // A field this size is either cut to the utterance limit or reported, never kept whole.
        for (const c of r.conversations)
          for (const t of c.turns) expect(t.text.length, `input ${i}, ${imp.id}`).toBeLessThan(huge.length);
      }
    }
  }, 120_000);
});

interface Row {
  conv: number;
  speaker: 'agent' | 'customer';
  text: string;
}

/** Utterance text with the characters that break naive CSV and JSON handling. */
const textArb = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '您好',
        '請問',
        'refund',
        ',',
        '"',
        '""',
        '\n',
        '\r\n',
        '\t',
        ';',
        '|',
        ' ',
        '：',
        ':',
        '{',
        '}',
        '\\',
        '😀',
        'é',
      ),
      fc.string({ maxLength: 6 }),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((p) => p.join(''))
  // Rows whose text is only blanks or starts like a comment are not what this property is about.
  .filter((t) => t.trim() !== '' && !t.includes('\u0000'));

const rowsArb = fc.array(
  fc.record({
    conv: fc.integer({ min: 0, max: 3 }),
    speaker: fc.constantFrom('agent', 'customer'),
    text: textArb,
  }),
  { minLength: 1, maxLength: 25 },
);

/** Rows of one conversation together, as exports are (the grouper relies on it). */
const grouped = (rows: Row[]) => [...rows].sort((a, b) => a.conv - b.conv);

describe('good rows kept, bad rows reported with their line and skipped', () => {
  it('JSON Lines', async () => {
    await fc.assert(
      fc.asyncProperty(
        rowsArb,
        fc.array(
          fc.constantFrom(
            'not json {',
            '[1,2]',
            '{"speaker":"agent","text":"x"}',
            '{"conversationId":"c0","speaker":"martian","text":"x"}',
            '"str"',
          ),
          { maxLength: 6 },
        ),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.boolean(),
        async (rows0, bad, at, crlf) => {
          const rows = grouped(rows0);
          const out: string[] = rows.map((r, seq) =>
            JSON.stringify({ conversationId: `c${r.conv}`, seq, speaker: r.speaker, text: r.text }),
          );
          const badLines: number[] = [];
          bad.forEach((b, i) => {
            const pos = (at[i] ?? 0) % (out.length + 1);
            out.splice(pos, 0, b);
          });
          out.forEach((l, i) => {
            if (!l.startsWith('{"conversationId":"c') || l.includes('martian')) badLines.push(i + 1);
          });
          const bytes = enc.encode(out.join(crlf ? '\r\n' : '\n'));
          const r = await readAll(bytes, 'jsonl');
          expect(r.refused).toBe(false);
          expect(r.problems.map((p) => p.line)).toEqual(badLines);
          const kept = r.conversations.flatMap((c) => c.turns.map((t) => [c.id, t.speaker, t.text]));
          expect(kept).toEqual(rows.map((x) => [`c${x.conv}`, x.speaker, x.text]));
        },
      ),
      RUNS,
    );
  });

  it('CSV (quoted fields with delimiters, quotes and newlines; BOM; CRLF)', async () => {
    const cell = (s: string) => (/[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s);
    await fc.assert(
      fc.asyncProperty(
        rowsArb,
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.boolean(),
        fc.boolean(),
        async (rows0, badAt, crlf, bom) => {
          const rows = grouped(rows0);
          const nl = crlf ? '\r\n' : '\n';
          const records: { text: string; bad: boolean; row?: Row }[] = rows.map((r) => ({
            text: [`c${r.conv}`, r.speaker, cell(r.text)].join(','),
            bad: false,
            row: r,
          }));
          for (const a of badAt) {
            // An unknown speaker inside the conversation being read: reported, and the rows around it kept.
            const pos = a % (records.length + 1);
            const conv = records[Math.max(0, pos - 1)]?.row?.conv ?? 0;
            records.splice(pos, 0, { text: `c${conv},martian,"bad ""row"""`, bad: true });
          }
          let line = 2;
          const badLines: number[] = [];
          for (const rec of records) {
            if (rec.bad) badLines.push(line);
            line += rec.text.split('\n').length;
          }
          const body = `conversation_id,speaker,text${nl}${records.map((r) => r.text).join(nl)}${nl}`;
          const bytes = enc.encode(`${bom ? '\ufeff' : ''}${body}`);
          const r = await readAll(bytes, 'csv');
          expect(r.refused).toBe(false);
          expect(r.problems.map((p) => [p.line, p.reason])).toEqual(
            badLines.map((l) => [l, 'unknown speaker']),
          );
          const kept = r.conversations.flatMap((c) => c.turns.map((t) => [c.id, t.speaker, t.text]));
          // CRLF inside a quoted field is a line break of the export, read back as \n.
          expect(kept).toEqual(rows.map((x) => [`c${x.conv}`, x.speaker, x.text.replace(/\r\n/g, '\n')]));
        },
      ),
      RUNS,
    );
  });

  it('plain-text chat: every message kept under its speaker, lines without a name before any message reported', async () => {
    const nameArb = fc.constantFrom('小王', 'Sam', '客户', 'Customer', '張三');
    const msgArb = fc
      .string({ maxLength: 30 })
      .map((s) => s.replace(/[\r\n]/g, ' ').trim())
      .filter((s) => s !== '' && !/^[=-]{3}/.test(s));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(nameArb, msgArb), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        async (rest, orphans, crlf) => {
          // The agent speaks first, as consoles open with a greeting (named-turns.ts guesses otherwise).
          const msgs: [string, string][] = [['小王', '您好'], ...rest];
          const head = Array.from({ length: orphans }, (_, i) => `orphan line ${i}`);
          const text = [...head, ...msgs.map(([n, m]) => `${n}: ${m}`)].join(crlf ? '\r\n' : '\n');
          const r = await readAll(enc.encode(text), 'chat', { agentNames: ['小王', 'Sam'] });
          expect(r.problems.map((p) => p.line)).toEqual(head.map((_, i) => i + 1));
          const turns = r.conversations.flatMap((c) => c.turns);
          expect(turns.map((t) => t.text)).toEqual(msgs.map(([, m]) => m));
          expect(turns.map((t) => t.speaker)).toEqual(
            msgs.map(([n]) => (n === '小王' || n === 'Sam' ? 'agent' : 'customer')),
          );
        },
      ),
      RUNS,
    );
  });

  it('WebVTT captions: every labelled cue kept in order', async () => {
    const cueText = fc
      .string({ minLength: 1, maxLength: 30 })
      .map((s) => s.replace(/[\r\n<>]|-->/g, ' ').trim())
      .filter((s) => s !== '');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('Agent', 'Customer'), cueText), { minLength: 1, maxLength: 15 }),
        fc.boolean(),
        async (cues, crlf) => {
          const pad = (n: number) => String(n).padStart(2, '0');
          const blocks = cues.map(
            ([who, t], i) => `00:00:${pad(i)}.000 --> 00:00:${pad(i)}.900\n<v ${who}>${t}</v>`,
          );
          const text = `WEBVTT\n\n${blocks.join('\n\n')}\n`.replace(/\n/g, crlf ? '\r\n' : '\n');
          const r = await readAll(enc.encode(text), 'captions', { agentNames: ['Agent'] });
          expect(r.problems).toEqual([]);
          const turns = r.conversations.flatMap((c) => c.turns);
          expect(turns.map((t) => t.text)).toEqual(cues.map(([, t]) => t));
          expect(turns.map((t) => t.ts)).toEqual(cues.map((_, i) => i * 1000));
        },
      ),
      RUNS,
    );
  });

  it('Contact Lens: any JSON document is read or reported, never thrown', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (doc) => {
        const bytes = enc.encode(JSON.stringify(doc));
        checkShape(await readAll(bytes, 'contact-lens'), lines(bytes));
      }),
      RUNS,
    );
  });
});
