import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { type LinkPort, RequestLink } from '../../../lib/background/request-link';
import { parseMessage } from '../../../lib/messages';

const open: { close(): void }[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

/** The offscreen document's end of the analyse link, as entrypoints/offscreen/main.ts answers it. */
function document() {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  const taken: number[] = [];
  const doc = port1 as unknown as LinkPort;
  doc.onmessage = (e) => {
    const r = parseMessage(e.data);
    const id = (e.data as { id: number }).id;
    if (r.ok && r.message.type === 'analyse') {
      taken.push(...r.message.utterances.map((u) => u.seq));
      doc.postMessage({ type: 'analyse-taken', id, ok: true });
    } else doc.postMessage({ type: 'analyse-taken', id, ok: false, reason: r.ok ? 'not analyse' : r.reason });
  };
  return { sw: port2 as unknown as LinkPort, taken };
}

const analyseLink = () =>
  new RequestLink<true>({
    request: () => {},
    answerOf: (m) => (m.type === 'analyse-taken' ? { id: m.id, answer: m.ok ? true : undefined } : undefined),
  });

const batch = (id: number, seqs: number[]) => ({
  type: 'analyse' as const,
  target: 'offscreen' as const,
  id,
  utterances: seqs.map((seq) => ({
    conversationId: 'c1',
    seq,
    speaker: 'customer' as const,
    text: `turn ${seq}`,
    ts: 1,
    channel: 'chat' as const,
    source: 'demo-desk',
  })),
});

describe('RequestLink (the analyse link)', () => {
  it('hands batches over in order, each answered by its id', async () => {
    const d = document();
    const link = analyseLink();
    link.attach(d.sw);
    expect(await link.ask((id) => batch(id, [0, 1]))).toBe(true);
    expect(await Promise.all([link.ask((id) => batch(id, [2])), link.ask((id) => batch(id, [3]))])).toEqual([
      true,
      true,
    ]);
    expect(d.taken).toEqual([0, 1, 2, 3]);
  });

  it('a batch the document refuses is undefined (the background then sends it the other way)', async () => {
    const d = document();
    const link = analyseLink();
    link.attach(d.sw);
    const bad = { ...batch(0, [0]), utterances: [{ seq: -1 }] } as unknown as ReturnType<typeof batch>;
    expect(await link.ask((id) => ({ ...bad, id }))).toBeUndefined();
    expect(link.linked).toBe(true);
    expect(d.taken).toEqual([]);
  });
});
