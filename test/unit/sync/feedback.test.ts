/**
 * Feedback from the side panel through the outbox to a real QA endpoint (PGlite): "this is wrong"
 * and appeals are sent once, refusals are kept with the endpoint's reason, an unreachable endpoint
 * keeps everything queued, and the agent reads back QA's decision on the appeal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../lib/ids';
import type { FetchLike } from '../../../lib/sync/client';
import {
  type FeedbackItem,
  MemoryFeedbackOutbox,
  fetchAppeals,
  flushFeedback,
  isEndpointFeedback,
} from '../../../lib/sync/feedback';
import { finding, startEnv, type TestEnv } from '../server/harness';

let env: TestEnv;
const realFetch: FetchLike = (url, init) => fetch(url, init);

beforeAll(async () => {
  env = await startEnv('pglite');
});
afterAll(async () => {
  await env?.close();
});

function item(over: Partial<FeedbackItem> & Pick<FeedbackItem, 'type'>): FeedbackItem {
  return { id: newId(), conversationId: 'c-fb', ts: Date.now(), ...over };
}

describe('feedback outbox', () => {
  it('keeps only what the endpoint stores', () => {
    expect(isEndpointFeedback('wrong')).toBe(true);
    expect(isEndpointFeedback('appeal')).toBe(true);
    expect(isEndpointFeedback('snooze')).toBe(false);
    expect(isEndpointFeedback('ack')).toBe(false);
  });

  it('sends appeals and "this is wrong" once, keeps refusals, and reads back the decision', async () => {
    const f = finding({ agentId: env.demo.users.agent.id, conversationId: 'c-fb' });
    const ing = await env.call('POST', '/v1/ingest', { token: env.agentToken, body: { findings: [f] } });
    expect(ing.status).toBe(200);
    const store = new MemoryFeedbackOutbox();
    const appeal = item({
      type: 'appeal',
      findingId: f.finding.id,
      reason: 'the customer asked me to repeat it',
    });
    const wrong = item({ type: 'wrong', findingId: f.finding.id, ruleId: f.finding.ruleId });
    const stranger = item({ type: 'appeal', findingId: newId(), reason: 'not mine' });
    await store.add([appeal, wrong, stranger], 1);
    await store.add([{ ...appeal, reason: 'changed' }], 2); // the same event again keeps its entry
    expect(await store.countQueued()).toBe(3);

    // Offline: nothing is lost and the error says why.
    const down = await flushFeedback({
      store,
      endpoint: 'http://127.0.0.1:9',
      token: env.agentToken,
      fetch: realFetch,
    });
    expect(down.error).toMatch(/^network/);
    expect(await store.countQueued()).toBe(3);

    const r = await flushFeedback({ store, endpoint: env.url, token: env.agentToken, fetch: realFetch });
    expect(r).toEqual({ sent: 2, refused: 1 });
    const [a, w, s] = await store.get([appeal.id, wrong.id, stranger.id]);
    expect(a).toMatchObject({ state: 'sent', item: { reason: 'the customer asked me to repeat it' } });
    expect(w!.state).toBe('sent');
    expect(s).toMatchObject({ state: 'refused', reason: 'no such finding' });
    // A second flush has nothing to send.
    expect(
      await flushFeedback({ store, endpoint: env.url, token: env.agentToken, fetch: realFetch }),
    ).toEqual({
      sent: 0,
      refused: 0,
    });
    const kept = await env.database.db
      .selectFrom('qa_feedback' as never)
      .selectAll()
      .where('id' as never, '=', wrong.id as never)
      .execute();
    expect(kept).toHaveLength(1);

    let mine = await fetchAppeals({ endpoint: env.url, token: env.agentToken, fetch: realFetch });
    expect(mine.get(f.finding.id)).toMatchObject({ state: 'open' });
    const id = mine.get(f.finding.id)!.id;
    const d = await env.call('POST', `/v1/qa/appeals/${id}/decide`, {
      cookie: env.cookies.qa,
      body: { decision: 'reject', comment: 'the promise was made before the customer asked' },
    });
    expect(d.status).toBe(200);
    mine = await fetchAppeals({ endpoint: env.url, token: env.agentToken, fetch: realFetch });
    expect(mine.get(f.finding.id)).toMatchObject({
      state: 'rejected',
      decisionComment: 'the promise was made before the customer asked',
    });
  });

  it('a refused device token leaves the feedback queued and asks for enrolment', async () => {
    const store = new MemoryFeedbackOutbox();
    await store.add([item({ type: 'wrong', ruleId: 'general.x' })], 1);
    const r = await flushFeedback({ store, endpoint: env.url, token: 'not-a-token', fetch: realFetch });
    expect(r.reenrol).toBe(true);
    expect(await store.countQueued()).toBe(1);
  });
});
