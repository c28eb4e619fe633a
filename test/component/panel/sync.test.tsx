/**
 * The panel's side of sync: the status line in plain words, feedback queued for the QA endpoint
 * through the outbox, and the appeal's state as the endpoint reports it.
 */
import { cleanup, fireEvent } from '@testing-library/preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { FeedbackOutbox } from '../../../components/panel/feedback';
import { MemoryFeedbackStore } from '../../../components/panel/feedback';
import { MyFindings } from '../../../components/panel/MyFindings';
import { StatusLine, type SyncView, syncProblemKey } from '../../../components/panel/StatusLine';
import { MemoryFeedbackOutbox } from '../../../lib/sync/feedback';
import { T0, analysis, finding, makeStore, renderIn, utterance } from './helpers';

afterEach(cleanup);

/** The FeedbackOutbox the panel uses, over the in-memory outbox instead of IndexedDB. */
function memoryOutbox() {
  const mem = new MemoryFeedbackOutbox();
  const outbox: FeedbackOutbox = {
    async queue(events) {
      await mem.add(
        events.map((e) => ({
          id: e.id,
          type: e.type as 'wrong' | 'appeal',
          conversationId: e.conversationId,
          ...(e.findingId ? { findingId: e.findingId } : {}),
          ...(e.reason ? { reason: e.reason } : {}),
          ts: e.ts,
        })),
        T0,
      );
    },
    async states(ids) {
      return new Map((await mem.get(ids)).map((e) => [e.id, { state: e.state, reason: e.reason }]));
    },
  };
  return { mem, outbox };
}

function statusText(sync: SyncView, lang: 'en' | 'zh_CN' = 'en') {
  const store = makeStore();
  const r = renderIn(<StatusLine store={store} sync={sync} />, lang);
  return r.getByTestId('status-sync').textContent ?? '';
}

describe('status line', () => {
  it('says "Sync" once, with what waits and when it last worked', () => {
    const last = new Date(2026, 10, 30, 9, 5).getTime();
    expect(statusText({ configured: true, queued: 0, lastSuccessAt: last })).toBe(
      'Sync: up to date · last 09:05',
    );
    cleanup();
    expect(statusText({ configured: true, queued: 3, lastSuccessAt: last })).toBe(
      'Sync: 3 queued · last 09:05',
    );
    cleanup();
    const offline = statusText({ configured: true, queued: 4, lastError: 'network: fetch failed' });
    expect(offline).toBe('Sync error: cannot reach the QA endpoint (offline?) — will retry · 4 waiting');
    expect(offline.match(/Sync/g)).toHaveLength(1);
    cleanup();
    expect(
      statusText({ configured: true, queued: 1, lastError: 'not enrolled', needsEnrolment: true }, 'zh_CN'),
    ).toBe('同步出错：本设备尚未在质检服务端注册——请在“选项”中输入注册码 · 1 条待发送');
  });

  it('maps endpoint errors to plain words and leaves unknown ones as they are', () => {
    expect(syncProblemKey('HTTP 503')).toBe('panelSyncErrServer');
    expect(syncProblemKey('rate limited', false)).toBe('panelSyncErrBusy');
    expect(syncProblemKey('device token not accepted')).toBe('panelSyncErrEnrol');
    expect(syncProblemKey('request timed out')).toBe('panelSyncErrOffline');
    expect(syncProblemKey('HTTP 403')).toBe('panelSyncErrForbidden');
    expect(syncProblemKey('finding 3: evidence too long')).toBeUndefined();
    expect(statusText({ configured: true, queued: 0, lastError: 'finding 3: evidence too long' })).toBe(
      'Sync error: finding 3: evidence too long',
    );
  });
});

describe('feedback through the outbox', () => {
  it('queues only what the endpoint keeps and marks it sent or refused after a sync', async () => {
    const { mem, outbox } = memoryOutbox();
    const store = makeStore({ feedbackOutbox: outbox, feedbackStore: new MemoryFeedbackStore() });
    const wrong = store.record({ type: 'wrong', conversationId: 'c1', findingId: 'f1', ruleId: 'r1' });
    store.record({ type: 'snooze', conversationId: 'c1', ruleId: 'r1' });
    const appeal = store.record({ type: 'appeal', conversationId: 'c1', findingId: 'f2', reason: 'why' });
    await store.flush();
    expect([...mem.entries.keys()]).toEqual([wrong.id, appeal.id]);
    expect(store.queued.value).toBe(2);
    // The service worker delivered one and the endpoint refused the other.
    await mem.put([
      { ...mem.entries.get(wrong.id)!, state: 'sent' },
      { ...mem.entries.get(appeal.id)!, state: 'refused', reason: 'findings can be appealed within 7 days' },
    ]);
    await store.refreshDelivery();
    expect(store.queued.value).toBe(0);
    expect(store.feedback.value.find((e) => e.id === wrong.id)?.synced).toBe(true);
    expect(store.feedback.value.find((e) => e.id === appeal.id)?.refused).toBe(
      'findings can be appealed within 7 days',
    );
  });

  it('queues feedback given before sync was set up when the panel starts', async () => {
    const saved = new MemoryFeedbackStore();
    const first = makeStore({ feedbackStore: saved });
    first.record({ type: 'wrong', conversationId: 'c1', findingId: 'f1' });
    await first.flush();
    const { mem, outbox } = memoryOutbox();
    const next = makeStore({ feedbackStore: saved, feedbackOutbox: outbox });
    await next.loadFeedback();
    expect(mem.entries.size).toBe(1);
  });
});

describe('appeal state', () => {
  it('goes from queued to sent to pending to rejected with the QA comment', async () => {
    const { mem, outbox } = memoryOutbox();
    const store = makeStore({ feedbackOutbox: outbox });
    const f = finding(1, 'general.forbidden-promise', { severity: 'warning' });
    act(() => {
      store.apply({ type: 'utterance-added', utterance: utterance(1, 'agent', 'I promise a refund today') });
      store.apply({ type: 'analysis-added', analysis: analysis(1, { findings: [f] }) });
    });
    const r = renderIn(<MyFindings store={store} />);
    fireEvent.click(r.getByTestId('appeal'));
    fireEvent.input(r.getByTestId('appeal-reason'), { target: { value: 'the policy allows it' } });
    fireEvent.click(r.getByTestId('appeal-send'));
    expect(r.getByTestId('appeal-state').dataset.state).toBe('queued');
    await store.flush();
    const id = store.feedback.value[0]!.id;
    await mem.put([{ ...mem.entries.get(id)!, state: 'sent' }]);
    await act(() => store.refreshDelivery());
    expect(r.getByTestId('appeal-state').dataset.state).toBe('sent');
    act(() => {
      store.appeals.value = new Map([
        [f.id, { id: 'a1', findingId: f.id, state: 'open', deadlineAt: new Date(2026, 11, 3).getTime() }],
      ]);
    });
    expect(r.getByTestId('appeal-state').textContent).toBe('Appeal pending — QA decides by 2026-12-03');
    act(() => {
      store.appeals.value = new Map([
        [f.id, { id: 'a1', findingId: f.id, state: 'rejected', decisionComment: 'no refund was due' }],
      ]);
    });
    expect(r.getByTestId('appeal-state').dataset.state).toBe('rejected');
    expect(r.getByTestId('appeal-state').textContent).toBe('Appeal rejectedQA: no refund was due');
    expect(r.getByTestId('appeal-comment').textContent).toBe('QA: no refund was due');
    expect(r.queryByTestId('appeal')).toBeNull();
  });
});
