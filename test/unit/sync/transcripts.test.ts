/**
 * Sync mode transcripts-redacted: the device uploads each conversation's transcript with every turn
 * redacted on the device; the default mode sends none. Checked against a real endpoint (PGlite).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Analysis } from '../../../lib/analysis/types';
import { mergeSettings } from '../../../lib/sync/config';
import {
  MAX_TRANSCRIPT_TURNS,
  sendsTranscripts,
  transcriptUpload,
  uploadTranscript,
} from '../../../lib/sync/transcripts';
import type { Utterance } from '../../../lib/utterance';
import { startEnv, type TestEnv } from '../server/harness';

let env: TestEnv;
beforeAll(async () => {
  env = await startEnv('pglite');
});
afterAll(async () => {
  await env?.close();
});

const u = (seq: number, speaker: Utterance['speaker'], text: string): Utterance =>
  ({ conversationId: 'c-tr', seq, speaker, text, ts: 1_000 * seq, channel: 'chat' }) as Utterance;

describe('transcript sync', () => {
  it('is off unless the sync mode asks for it, and policy wins over the local choice', () => {
    expect(sendsTranscripts(mergeSettings({}, {}))).toBe(false);
    expect(sendsTranscripts(mergeSettings({ syncMode: 'transcripts-redacted' }, {}))).toBe(true);
    expect(
      sendsTranscripts(
        mergeSettings({ syncMode: 'transcripts-redacted' }, { syncMode: 'findings-redacted' }),
      ),
    ).toBe(false);
  });

  it('redacts every turn on the device, keeps labels, and the endpoint shows it to QA', async () => {
    const utterances = [
      u(1, 'agent', '请提供身份证号核实一下'),
      u(0, 'customer', '我的手机号是13812345678，卡号 4111 1111 1111 1111'),
    ];
    const analyses = [
      { conversationId: 'c-tr', seq: 0, emotion: { label: 'frustrated', probs: {} }, findings: [] },
    ] as unknown as Analysis[];
    const up = transcriptUpload('c-tr', utterances, analyses);
    expect(up.turns.map((t) => t.seq)).toEqual([0, 1]);
    expect(up.turns[0]!.text).not.toContain('13812345678');
    expect(up.turns[0]!.text).not.toContain('1111 1111');
    expect(up.turns[0]!.emotion).toBe('frustrated');
    expect(up.turns[1]!.text).toBe('请提供身份证号核实一下');

    await uploadTranscript(env.url, env.agentToken, up, (url, init) => fetch(url, init));
    const stored = await env.database.db
      .selectFrom('qa_transcripts' as never)
      .selectAll()
      .where('conversation_id' as never, '=', 'c-tr' as never)
      .executeTakeFirst();
    const turns = (stored as { turns: unknown } | undefined)?.turns;
    const parsed = (typeof turns === 'string' ? JSON.parse(turns) : turns) as { text: string }[];
    expect(parsed.map((t) => t.text)).toEqual(up.turns.map((t) => t.text));
  });

  it('refuses clearly when the endpoint refuses, and caps a huge conversation at its newest turns', async () => {
    await expect(
      uploadTranscript(
        env.url,
        'not-a-token',
        transcriptUpload('c-x', [u(0, 'agent', 'hi')], []),
        (url, init) => fetch(url, init),
      ),
    ).rejects.toThrow(/HTTP 401/);
    const many = Array.from({ length: MAX_TRANSCRIPT_TURNS + 10 }, (_, i) => u(i, 'agent', `t${i}`));
    const up = transcriptUpload('c-big', many, []);
    expect(up.turns).toHaveLength(MAX_TRANSCRIPT_TURNS);
    expect(up.turns[0]!.seq).toBe(10);
  });
});
