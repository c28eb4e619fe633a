import { cleanup, fireEvent, waitFor } from '@testing-library/preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { PanelActions } from '../../../components/panel/actions';
import { App } from '../../../components/panel/App';
import { Checklist } from '../../../components/panel/Checklist';
import { MemoryFeedbackStore } from '../../../components/panel/feedback';
import { HintCards, type InsertOutcome } from '../../../components/panel/HintCards';
import { LeadView } from '../../../components/panel/lead/LeadView';
import { createLeadStore } from '../../../components/panel/lead/store';
import { MyFindings, runningScore } from '../../../components/panel/MyFindings';
import { DEFAULT_SETTINGS } from '../../../components/panel/Settings';
import { StatusLine } from '../../../components/panel/StatusLine';
import { Warnings, secondsLeft } from '../../../components/panel/Warnings';
import type { Alert } from '../../../lib/sync/protocol';
import { T0, analysis, finding, makeStore, renderIn, utterance } from './helpers';

afterEach(cleanup);

function recorder(reply: { ok: boolean; inserted?: boolean; reason?: string }) {
  const calls: { insert: unknown[]; copy: string[] } = { insert: [], copy: [] };
  const actions: PanelActions = {
    insertHint: async (req) => {
      calls.insert.push(req);
      return reply;
    },
    copy: async (text) => {
      calls.copy.push(text);
    },
  };
  return { actions, calls };
}

function angryConversation() {
  const store = makeStore({ feedbackStore: new MemoryFeedbackStore(), now: () => T0 + 60_000 });
  act(() => {
    store.apply({
      type: 'attach-changed',
      state: {
        tabId: 7,
        adapterId: 'demo-desk',
        url: 'http://x/desk/',
        attached: true,
        activeConversationId: 'c1',
      },
    });
    store.apply({
      type: 'utterance-added',
      utterance: utterance(0, 'system', '访客 王女士 通过「App 在线客服」接入'),
    });
    store.apply({ type: 'utterance-added', utterance: utterance(1, 'customer', '我要去12315投诉你们') });
    store.apply({
      type: 'analysis-added',
      analysis: analysis(1, {
        emotion: 'angry',
        intent: 'complaint_escalation',
        findings: [
          finding(1, 'general.customer-threat', {
            start: 3,
            end: 8,
            text: '12315',
            actions: {
              warning: {
                text: {
                  zh_CN: '客户提及“12315”',
                  zh_TW: '客戶提及“12315”',
                  en: 'The customer mentioned "12315"',
                },
              },
              escalate: { selfCorrectSeconds: 120 },
            },
            scores: { service: -10 },
          }),
        ],
      }),
    });
  });
  return store;
}

describe('HintCards', () => {
  it('suggests the de-escalation script with the name filled and inserts it into the console tab', async () => {
    const store = angryConversation();
    const { actions, calls } = recorder({ ok: true, inserted: true });
    const outcomes = new Map<string, InsertOutcome>();
    const r = renderIn(
      <HintCards
        store={store}
        conversation={store.current.value!}
        actions={actions}
        outcomes={outcomes}
        onOutcome={(id, o) => outcomes.set(id, o)}
      />,
      'zh_CN',
    );
    const hints = r.getAllByTestId('hint');
    expect(hints[0]!.dataset.hint).toBe('script:threat.deescalate');
    expect(r.getAllByTestId('hint-text')[0]!.textContent!.startsWith('王女士，')).toBe(true);
    fireEvent.click(r.getAllByTestId('hint-insert')[0]!);
    await waitFor(() => expect(outcomes.get('script:threat.deescalate')).toEqual({ kind: 'inserted' }));
    expect(calls.insert[0]).toMatchObject({
      tabId: 7,
      conversationId: 'c1',
      hintId: 'script:threat.deescalate',
    });
    expect(calls.copy).toEqual([]);
  });

  it('copies instead when the console cannot insert, and says why', async () => {
    const store = angryConversation();
    const { actions, calls } = recorder({ ok: false, reason: 'no compose box' });
    const outcomes = new Map<string, InsertOutcome>();
    const r = renderIn(
      <HintCards
        store={store}
        conversation={store.current.value!}
        actions={actions}
        outcomes={outcomes}
        onOutcome={(id, o) => outcomes.set(id, o)}
      />,
    );
    fireEvent.click(r.getAllByTestId('hint-insert')[0]!);
    await waitFor(() => expect(outcomes.get('script:threat.deescalate')?.kind).toBe('failed'));
    expect(calls.copy).toHaveLength(1);
    fireEvent.click(r.getAllByTestId('hint-copy')[1]!);
    await waitFor(() => expect(calls.copy).toHaveLength(2));
  });
});

describe('Warnings', () => {
  it('quotes the evidence, gives the reason and counts down to escalation until corrected', () => {
    let now = T0 + 5_000 + 30_000;
    const store = angryConversation();
    const r = renderIn(<Warnings store={store} conversation={store.current.value!} now={() => now} />);
    const card = r.getByTestId('finding');
    expect(card.dataset.rule).toBe('general.customer-threat');
    expect(card.dataset.severity).toBe('critical');
    expect(r.getByTestId('evidence').querySelector('mark')!.textContent).toBe('12315');
    expect(r.getByTestId('warning-reason').textContent).toContain('The customer mentioned "12315"');
    expect(r.getByTestId('countdown').dataset.seconds).toBe('90');
    now = T0 + 5_000 + 200_000;
    expect(secondsLeft(store.current.value!.warnings.value[0]!, now)).toBe(0);
    fireEvent.click(r.getByTestId('warning-corrected'));
    expect(r.queryByTestId('finding')).toBeNull();
    expect(store.feedback.value.map((e) => e.type)).toEqual(['resolved']);
  });

  it('records "this is wrong" with a reason and snoozes a rule for this conversation only', async () => {
    const fb = new MemoryFeedbackStore();
    const store = angryConversation();
    const r = renderIn(<Warnings store={store} conversation={store.current.value!} now={() => T0} />);
    fireEvent.click(r.getByTestId('warning-wrong'));
    fireEvent.input(r.getByTestId('warning-wrong-reason'), { target: { value: 'quoting an old case' } });
    fireEvent.click(r.getByTestId('warning-wrong-send'));
    expect(r.queryByTestId('finding')).toBeNull();
    expect(r.getByTestId('wrong-recorded')).toBeTruthy();
    expect(store.feedback.value[0]).toMatchObject({
      type: 'wrong',
      ruleId: 'general.customer-threat',
      reason: 'quoting an old case',
      synced: false,
    });
    expect(store.queued.value).toBe(1);
    void fb;
  });

  it('snooze hides the rule in this conversation and can be undone', () => {
    const store = angryConversation();
    const r = renderIn(<Warnings store={store} conversation={store.current.value!} now={() => T0} />);
    fireEvent.click(r.getByTestId('warning-snooze'));
    expect(r.queryByTestId('finding')).toBeNull();
    expect(r.getByTestId('snoozed').dataset.rule).toBe('general.customer-threat');
    fireEvent.click(r.getByTestId('snoozed').querySelector('button')!);
    expect(r.getByTestId('finding')).toBeTruthy();
  });
});

describe('Checklist', () => {
  it('ticks items as the agent says them and counts turn deadlines', () => {
    const store = makeStore();
    act(() => {
      store.apply({
        type: 'utterance-added',
        utterance: utterance(0, 'customer', 'I want to file a complaint'),
      });
      store.apply({ type: 'utterance-added', utterance: utterance(1, 'agent', 'Hello, let me check.') });
    });
    const r = renderIn(<Checklist store={store} conversation={store.current.value!} />);
    const status = () =>
      Object.fromEntries(r.getAllByTestId('checklist-item').map((e) => [e.dataset.item, e.dataset.status]));
    expect(status()).toMatchObject({ greeting: 'done', apology: 'pending', closing: 'pending' });
    expect(r.getByText('within 1 more of your replies')).toBeTruthy();
    act(() => {
      store.apply({ type: 'utterance-added', utterance: utterance(2, 'agent', "I'm so sorry about this.") });
    });
    expect(status().apology).toBe('done');
  });
});

describe('MyFindings', () => {
  it('lists own findings with a running score and queues an appeal with its reason', () => {
    const store = angryConversation();
    const r = renderIn(<MyFindings store={store} />);
    expect(r.getByTestId('my-score').dataset.score).toBe('90');
    fireEvent.click(r.getByTestId('appeal'));
    fireEvent.input(r.getByTestId('appeal-reason'), {
      target: { value: 'the customer quoted a news story' },
    });
    fireEvent.click(r.getByTestId('appeal-send'));
    expect(r.getByTestId('appeal-queued')).toBeTruthy();
    expect(store.feedback.value[0]).toMatchObject({
      type: 'appeal',
      reason: 'the customer quoted a news story',
    });
    expect(runningScore([], new Set())).toBe(100);
  });
});

describe('StatusLine', () => {
  it('shows the console, models and rulebooks, capture and sync state', () => {
    const store = angryConversation();
    act(() => {
      store.apply({
        type: 'pipeline-status',
        models: ['emotion@1'],
        rulebooks: ['general@2026.11.1'],
        coldStartMs: 300,
      });
      store.record({ type: 'wrong', conversationId: 'c1', findingId: 'x' });
    });
    const r = renderIn(<StatusLine store={store} sync={{ configured: false }} />);
    expect(r.getByTestId('status').dataset.attached).toBe('yes');
    expect(r.getByTestId('status').textContent).toContain('Attached to demo-desk');
    expect(r.getByTestId('status-pipeline').textContent).toBe('Models: emotion@1 · Rules: general@2026.11.1');
    expect(r.getByTestId('status-capture').textContent).toBe('Capture: chat');
    // Not set up: one "Sync:" and what is kept on this device.
    expect(r.getByTestId('status-sync').textContent).toBe(
      'Sync: not set up (kept on this device) · 1 waiting',
    );
  });
});

const alert = (id: number, severity: Alert['severity'], createdAt: number): Alert => ({
  id,
  kind: 'finding',
  teamId: 't1',
  conversationId: `c${id}`,
  ruleKey: 'general.customer-threat',
  severity,
  title: `Alert ${id}`,
  agentId: 'lin',
  evidenceUrl: `https://qa.example/c${id}`,
  createdAt,
  notify: true,
});

describe('LeadView', () => {
  it('lists alerts newest first with age, filters by severity, acknowledges and takes over', () => {
    const store = makeStore();
    const lead = createLeadStore(store.feedback);
    lead.add(alert(1, 'warning', T0 - 120_000));
    lead.add(alert(2, 'critical', T0 - 5_000));
    expect(lead.add(alert(2, 'critical', T0 - 5_000))).toBe(false); // a resumed stream repeats
    const r = renderIn(<LeadView store={store} lead={lead} configured now={() => T0} onOpen={() => {}} />);
    expect(r.getAllByTestId('alert').map((e) => e.dataset.alert)).toEqual(['2', '1']);
    expect(r.getAllByTestId('alert-age').map((e) => e.textContent)).toEqual(['5 s ago', '2 min ago']);
    const filter = r.getByTestId('lead-filter') as HTMLSelectElement;
    for (const o of filter.options) o.selected = o.value === 'critical';
    // @testing-library/preact turns fireEvent.change into an input event; a select sends change.
    act(() => {
      filter.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(lead.minSeverity.value).toBe('critical');
    expect(r.getAllByTestId('alert').map((e) => e.dataset.alert)).toEqual(['2']);
    fireEvent.click(r.getByTestId('alert-ack'));
    fireEvent.click(r.getByTestId('alert-takeover'));
    expect(r.queryByTestId('alert-ack')).toBeNull();
    expect(store.feedback.value.map((e) => [e.type, e.alertId])).toEqual([
      ['lead-ack', 2],
      ['take-over', 2],
    ]);
  });
});

describe('App keyboard commands', () => {
  it('inserts the top hint, moves to the next warning and acknowledges it', async () => {
    const store = angryConversation();
    const lead = createLeadStore(store.feedback);
    const { actions, calls } = recorder({ ok: true, inserted: true });
    const r = renderIn(
      <App
        store={store}
        lead={lead}
        actions={actions}
        settings={DEFAULT_SETTINGS}
        onSettings={() => {}}
        sync={{ configured: false }}
        now={() => T0}
      />,
    );
    act(() => store.apply({ type: 'panel-command', command: 'insert-top-hint' }));
    await waitFor(() => expect(calls.insert).toHaveLength(1));
    act(() => store.apply({ type: 'panel-command', command: 'next-warning' }));
    expect(document.activeElement?.getAttribute('data-rule')).toBe('general.customer-threat');
    act(() => store.apply({ type: 'panel-command', command: 'acknowledge' }));
    expect(store.feedback.value.map((e) => e.type)).toEqual(['ack']);
    expect(r.getByTestId('announce').textContent).toContain('Rule general.customer-threat');
  });
});

describe('App with features turned off by policy', () => {
  it('shows no hints and no lead mode, and the insert-hint command does nothing', async () => {
    const store = angryConversation();
    const { actions, calls } = recorder({ ok: true, inserted: true });
    const props = {
      store,
      lead: createLeadStore(store.feedback),
      actions,
      onSettings: () => {},
      sync: { configured: false },
      now: () => T0,
    };
    const on = renderIn(<App {...props} settings={DEFAULT_SETTINGS} />);
    expect(on.queryAllByTestId('hint').length).toBeGreaterThan(0);
    on.unmount();
    const r = renderIn(
      <App
        {...props}
        settings={{ ...DEFAULT_SETTINGS, mode: 'lead' }}
        features={{ hints: false, leadMode: false }}
      />,
    );
    expect(r.queryByTestId('mode-lead')).toBeNull();
    expect(r.getByTestId('conversation')).toBeTruthy();
    expect(r.queryAllByTestId('hint').length).toBe(0);
    act(() => store.apply({ type: 'panel-command', command: 'insert-top-hint' }));
    await new Promise((done) => setTimeout(done, 20));
    expect(calls.insert).toHaveLength(0);
  });
});

describe('CallStrip', () => {
  it('shows who is talking, the silence timer, pace and a raised voice; starts and stops monitoring', () => {
    const store = angryConversation();
    const started: number[] = [];
    const r = renderIn(
      <App
        store={store}
        lead={createLeadStore(store.feedback)}
        actions={recorder({ ok: true }).actions}
        settings={DEFAULT_SETTINGS}
        onSettings={() => {}}
        sync={{ configured: false }}
        call={{ start: (id) => started.push(id), stop: () => {} }}
      />,
    );
    fireEvent.click(r.getByTestId('call-start'));
    expect(started).toEqual([7]);
    const side = (speaking: boolean, shouting = false) => ({
      status: 'live' as const,
      speaking,
      levelDbfs: -20,
      loudnessRiseDb: shouting ? 9 : 0,
      shouting,
      rateSps: 4.2,
      talkMs: 1000,
    });
    act(() =>
      store.apply({
        type: 'call-state',
        state: {
          tabId: 7,
          conversationId: 'c1',
          phase: 'live',
          startedAt: T0,
          elapsedMs: 30_000,
          agent: side(false),
          customer: side(true, true),
          silenceMs: 2_400,
          overtalkMs: 0,
          talkRatio: 0.4,
          interruptions: 0,
          deadAir: { count: 0, totalMs: 0, longestMs: 0 },
          overtalk: { count: 0, totalMs: 0, longestMs: 0 },
        },
      }),
    );
    expect(r.getByTestId('call-strip').dataset.phase).toBe('live');
    expect(r.getByTestId('call-talking').textContent).toBe('Talking: Customer');
    expect(r.getByTestId('call-silence').textContent).toBe('Silence 2 s');
    expect(r.getByTestId('call-strip').textContent).toContain('Customer is raising their voice');
    expect(r.getByTestId('status-capture').textContent).toBe('Capture: call audio');
    expect(r.getByTestId('call-stop')).toBeTruthy();
  });
});
