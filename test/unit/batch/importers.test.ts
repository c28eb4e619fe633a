import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IMPORTERS, chooseImporter, importerById, parseColumnMap } from '../../../lib/batch/importers';
import { bytesInput, textSource } from '../../../lib/batch/source';
import { ImportError, type ImportItem, type ImportOptions } from '../../../lib/batch/types';

const FIXTURES = new URL('../../fixtures/batch/', import.meta.url);

async function load(name: string, opts: Partial<ImportOptions> = {}, format?: string) {
  const bytes = new Uint8Array(readFileSync(new URL(name, FIXTURES)));
  // Small chunks: multi-byte characters and CRLF pairs get split across chunk boundaries.
  const source = textSource(bytesInput(bytes, 7));
  const importer = format ? importerById(format) : chooseImporter(source.head, name);
  const items: ImportItem[] = [];
  for await (const item of importer.read(source, { file: name, ...opts })) items.push(item);
  return {
    importer: importer.id,
    encoding: source.encoding,
    conversations: items.flatMap((i) => (i.kind === 'conversation' ? [i.conversation] : [])),
    problems: items.flatMap((i) => (i.kind === 'problem' ? [i.problem] : [])),
  };
}

describe('importer registry', () => {
  it('has unique ids and a description for every importer', () => {
    const ids = IMPORTERS.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const i of IMPORTERS) expect(i.description.length).toBeGreaterThan(10);
  });

  it('names what it found and what it supports for an unknown format', () => {
    const head = readFileSync(new URL('unknown.dat', FIXTURES), 'utf8');
    expect(() => chooseImporter(head, 'unknown.dat')).toThrow(ImportError);
    expect(() => chooseImporter(head, 'unknown.dat')).toThrow(
      /unknown format.*%%%% binary-ish header.*jsonl.*contact-lens.*csv.*captions.*chat/s,
    );
  });

  it('rejects an unknown --format with the list of formats', () => {
    expect(() => importerById('xlsx')).toThrow(/jsonl, contact-lens, csv, captions, chat/);
  });
});

describe('JSONL importer', () => {
  it('reads utterances and reports bad lines with their numbers', async () => {
    const r = await load('utterances.jsonl');
    expect(r.importer).toBe('jsonl');
    expect(r.conversations.map((c) => c.id)).toEqual(['j-1', 'j-2']);
    const j1 = r.conversations[0]!;
    expect(j1.agentId).toBe('a-7');
    expect(j1.turns.map((t) => [t.seq, t.speaker])).toEqual([
      [0, 'agent'],
      [1, 'customer'],
      [2, 'agent'],
    ]);
    expect(r.problems).toEqual([
      { file: 'utterances.jsonl', line: 3, reason: 'not JSON' },
      { file: 'utterances.jsonl', line: 5, reason: 'unknown speaker', detail: 'robot-x' },
    ]);
  });
});

describe('CSV importer', () => {
  it('reads GBK with CRLF, quoted newlines and doubled quotes', async () => {
    const r = await load('gbk.csv');
    expect(r.encoding).toBe('gb18030');
    expect(r.importer).toBe('csv');
    const g1 = r.conversations.find((c) => c.id === 'g-1')!;
    expect(g1.agentId).toBe('1001');
    expect(g1.turns.map((t) => t.text)).toEqual([
      '您好，请问有什么可以帮您？',
      '我的订单还没到，\n已经等了三天了',
      '非常抱歉，我说的"马上"就是今天',
    ]);
    expect(g1.turns[1]!.ts).toBe(Date.UTC(2025, 10, 30, 8, 0, 5));
    expect(g1.origin).toBe('gbk.csv:2');
    // The quoted newline makes the record after it start on line 5, not 4.
    expect(r.problems).toEqual([{ file: 'gbk.csv', line: 6, reason: 'unknown speaker', detail: '访客X' }]);
  });

  it('reads UTF-8 with a BOM when columns are named with --map', async () => {
    const map = parseColumnMap('conversation=Ticket,speaker=Who,text=Said,ts=When');
    const r = await load('bom.csv', { map });
    expect(r.encoding).toBe('utf-8');
    const b1 = r.conversations[0]!;
    expect(b1.id).toBe('b-1');
    expect(b1.turns.map((t) => t.speaker)).toEqual(['agent', 'customer', 'agent']);
    expect(b1.turns[1]!.text).toBe('My card 6222021234567890123\nwas charged twice');
    expect(b1.turns[1]!.ts).toBe(7000);
  });

  it('lists the columns it found when it cannot map them', async () => {
    await expect(load('bom.csv')).rejects.toThrow(
      /cannot tell which column holds conversation, speaker, text\. Columns found: "Ticket", "Who", "Said", "When"\. Name them with --map/,
    );
    await expect(load('bom.csv', { map: { text: 'Nope' } })).rejects.toThrow(
      /--map text=Nope: no such column/,
    );
  });

  it('parses --map and rejects unknown fields', () => {
    expect(parseColumnMap('speaker=角色,text=内容')).toEqual({ speaker: '角色', text: '内容' });
    expect(() => parseColumnMap('who=角色')).toThrow(/field one of conversation, seq, speaker/);
  });
});

describe('chat text importer', () => {
  it('splits conversations, joins continuation lines and tells agents from names', async () => {
    const r = await load('chat.txt');
    expect(r.importer).toBe('chat');
    expect(r.conversations.map((c) => c.id)).toEqual(['c-1', 'c-2']);
    const [c1, c2] = r.conversations;
    expect(c1!.turns.map((t) => t.speaker)).toEqual(['agent', 'customer', 'agent']);
    expect(c1!.turns[1]!.text).toBe('我的快递到哪了？\n单号是SF123456');
    expect(c1!.turns[1]!.ts).toBe(Date.UTC(2025, 10, 30, 10, 0, 9));
    expect(c1!.agentId).toBe('客服小李');
    expect(c2!.turns.map((t) => t.speaker)).toEqual(['customer', 'agent', 'customer']);
  });

  it('takes agent names from --agents', async () => {
    const r = await load('chat.txt', { agentNames: ['Sam'] }, 'chat');
    expect(r.conversations[1]!.turns.map((t) => t.speaker)).toEqual(['agent', 'agent', 'agent']);
  });
});

describe('captions importer', () => {
  it('reads SRT with "name:" labels; an unlabelled cue continues the speaker', async () => {
    const r = await load('call.srt');
    expect(r.importer).toBe('captions');
    const c = r.conversations[0]!;
    expect(c.id).toBe('call');
    expect(c.turns.map((t) => [t.speaker, t.ts, t.channel])).toEqual([
      ['agent', 1000, 'voice'],
      ['customer', 4000, 'voice'],
      ['customer', 8000, 'voice'],
    ]);
    expect(r.problems).toEqual([]);
  });

  it('reads WebVTT voice spans', async () => {
    const r = await load('call.vtt');
    const c = r.conversations[0]!;
    expect(c.turns.map((t) => [t.speaker, t.text, t.ts])).toEqual([
      ['agent', 'Hello, thanks for calling.', 500],
      ['customer', 'I want to cancel my plan.', 2500],
      ['agent', 'Sure, let me help.', 5500],
    ]);
  });
});

describe('Contact Lens importer', () => {
  it('reads participants, offsets and the contact id', async () => {
    const r = await load('contact-lens.json');
    expect(r.importer).toBe('contact-lens');
    const c = r.conversations[0]!;
    expect(c.id).toBe('cl-contact-1');
    expect(c.turns.map((t) => [t.speaker, t.ts, t.channel])).toEqual([
      ['agent', 0, 'voice'],
      ['customer', 2500, 'voice'],
      ['agent', 6500, 'voice'],
    ]);
  });

  it('says what keys it found in a JSON document that is not Contact Lens output', async () => {
    const source = textSource(bytesInput(new TextEncoder().encode('{"Foo": 1, "Bar": []}')));
    const items: ImportItem[] = [];
    for await (const i of importerById('contact-lens').read(source, { file: 'x.json' })) items.push(i);
    expect(items).toEqual([
      {
        kind: 'problem',
        problem: {
          file: 'x.json',
          line: 1,
          reason: 'not a Contact Lens document',
          detail: 'keys found: Foo, Bar',
        },
      },
    ]);
  });
});
