/**
 * Softphone calls end to end, in Debian's Chromium with the production build: the demo softphone
 * plays a scripted call (espeak-ng + sox) over a loopback WebRTC pair, Chromium's fake microphone
 * plays the agent's side into the page's call, and the side panel's port receives the call's state
 * and events. Tab capture is refused here (the extension was never invoked on the tab), so this is
 * the fallback route: the page's own RTCPeerConnection tracks, tapped in the page and handed to a
 * hidden extension frame on a MessagePort. A speech server set on the options page (a loopback
 * server speaking the Vosk protocol) gets each side's audio and its results come back as voice turns.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallEventRecord, CallState } from '../../lib/audio/call-state';
import { DEV_EXTENSION_ID } from '../../lib/extension-key';
import { expectedDeadAir, expectedOvertalk } from '../fixtures/audio/expect';
import { PACE_WPM, type RenderedCall } from '../fixtures/audio/generate';
import { startVoskServer, type VoskTestServer } from '../fixtures/audio/vosk-server';
import {
  callEvents,
  callStates,
  launchSoftphone,
  listenForCalls,
  openCallPanel,
  type Softphone,
  waitForLiveCall,
} from './pages/softphone';

const TOLERANCE_S = 0.25;
/** Recognised turns' seqs start here (lib/asr/utterances ASR_SEQ_BASE); call findings' at 2^42. */
const ASR_SEQ_BASE = 2 ** 43;
const ASR_PHRASES = ['我想查一下我的订单', 'thank you for waiting', '我的快递还没有到'];

let softphone: Softphone;
let call: RenderedCall;
let panel: Page;
let phone: Page;
let vosk: VoskTestServer;
/** The call's start and events as the panel's port got them (kept: a later test reloads the panel). */
let recorded: { startedAt: number; events: CallEventRecord[] } | undefined;

beforeAll(async () => {
  // The page's microphone is Chromium's fake capture of the agent's WAV, granted without a prompt.
  softphone = await launchSoftphone({ name: 'softphone', tailS: 20, mic: 'fake-ui' });
  call = softphone.call;
  const { context } = softphone;
  // The organisation's speech server, named on the options page: from now on each monitored
  // call's audio goes there (and nowhere without it).
  vosk = await startVoskServer(ASR_PHRASES);
  const options = await context.newPage();
  await options.goto(`chrome-extension://${DEV_EXTENSION_ID}/options.html`);
  await options.fill('[data-testid="opt-asr-endpoint"]', 'http://not-a-speech-server');
  await options.click('[data-testid="opt-asr-save"]');
  await options.waitForSelector('[data-testid="opt-asr-status"].opt__status--error');
  await options.fill('[data-testid="opt-asr-endpoint"]', vosk.url);
  await options.click('[data-testid="opt-asr-save"]');
  await options.waitForSelector('[data-testid="opt-asr-status"]:not(.opt__status--error):not(:empty)');
  await options.close();
  panel = await openCallPanel(context);
  phone = await softphone.open();
}, 180_000);

afterAll(async () => {
  await softphone?.close();
  await vosk?.close();
});

/** The tab id of a page, as the side panel knows its console tab (the active one; no `tabs` permission). */
async function tabIdOf(page: Page): Promise<number> {
  await page.bringToFront();
  return softphone.serviceWorker()!.evaluate(async () => {
    const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
    return tab?.id ?? -1;
  });
}

async function panelSend<T>(msg: unknown): Promise<T> {
  return panel.evaluate((m) => chrome.runtime.sendMessage(m), msg) as Promise<T>;
}

const states = () => callStates(panel);
const events = () => callEvents(panel);

/** Waits for the first call state the panel's port got that is `ok`. */
async function untilState(what: string, ok: (s: CallState) => boolean, timeout = 20_000): Promise<CallState> {
  await expect.poll(async () => (await states()).some(ok), { timeout, message: what }).toBe(true);
  return (await states()).find(ok)!;
}

describe('softphone call monitoring', () => {
  let conversationId: string;

  it("starts from the agent's gesture and captures both sides", async () => {
    const tabId = await tabIdOf(phone);
    // The agent monitors a call on a console Sotto is attached to: wait for the captions adapter
    // to report the call's conversation (the console script is registered at run time).
    const callId = await phone.getAttribute('#call', 'data-call-id');
    await expect
      .poll(
        () =>
          panel.evaluate(
            ([t, id]) =>
              (
                window as unknown as { attach: { tabId: number; activeConversationId?: string }[] }
              ).attach.some((a) => a.tabId === t && a.activeConversationId === id),
            [tabId, callId] as const,
          ),
        { timeout: 30_000 },
      )
      .toBe(true);
    const r = await panelSend<{ ok: boolean; reason?: string; reply?: { conversationId: string } }>({
      type: 'call-start',
      tabId,
      mic: true,
    });
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
    await phone.click('#answer');
    await phone.waitForSelector('#call[data-state="talking"]');
    const state = await waitForLiveCall(panel, ['customer', 'agent']);
    conversationId = state.conversationId;
    expect(conversationId).toBe(await phone.getAttribute('#call', 'data-call-id'));
  });

  it('measures dead air within ±250 ms, the over-talk, a pace that rises with speech speed, and fires the silence rule', async () => {
    // Play the whole call (its audio is real time), then stop so open runs are settled.
    const end = call.passages[call.passages.length - 1]!.end;
    await phone.waitForTimeout((end + 2) * 1000);
    const tabId = await tabIdOf(phone);
    await panelSend({ type: 'call-stop', tabId });
    await panel.waitForFunction(() =>
      (window as unknown as { callStates: CallState[] }).callStates.some((s) => s.phase === 'stopped'),
    );
    const ev = await events();
    recorded = { startedAt: (await states()).at(-1)!.startedAt, events: ev };
    const segs = ev.filter((e): e is Extract<CallEventRecord, { type: 'segment' }> => e.type === 'segment');
    // Each side's audio starts when its source opens (microphone at monitoring start, customer at
    // answer): align the script to each side's first detected speech.
    const shift = {} as Record<'agent' | 'customer', number>;
    for (const side of ['agent', 'customer'] as const) {
      const first = segs.find((s) => s.channel === side);
      const scripted = call.passages.find((p) => p.side === side)!;
      expect(first, `speech on the ${side} side`).toBeDefined();
      shift[side] = first!.start / 1000 - scripted.start;
    }
    const want = expectedDeadAir(call.passages, 3, shift);
    const got = ev.filter(
      (e): e is Extract<CallEventRecord, { type: 'dead-air' }> =>
        e.type === 'dead-air' && e.end / 1000 <= end + Math.max(shift.agent, shift.customer) + 0.5,
    );
    expect(got.map((g) => [g.start / 1000, g.end / 1000])).toHaveLength(want.length);
    got.forEach((g, i) => {
      expect(Math.abs(g.start / 1000 - want[i]!.start)).toBeLessThan(TOLERANCE_S);
      expect(Math.abs(g.end / 1000 - want[i]!.end)).toBeLessThan(TOLERANCE_S);
    });
    const over = ev.filter((e) => e.type === 'overtalk');
    expect(expectedOvertalk(call.passages).length).toBe(1);
    expect(over.length).toBeGreaterThanOrEqual(1);
    expect(over.some((o) => o.type === 'overtalk' && o.startedBy === 'agent' && o.interruption)).toBe(true);
    // Pace of the three customer passages, slow to fast.
    const pace = call.passages
      .filter((p) => p.side === 'customer' && (PACE_WPM as readonly number[]).includes(p.wpm))
      .slice(-3)
      .map((p) => {
        const inside = segs.filter(
          (s) =>
            s.channel === 'customer' &&
            s.start / 1000 >= p.start + shift.customer - 0.3 &&
            s.end / 1000 <= p.end + shift.customer + 0.5,
        );
        const ms = inside.reduce((n, s) => n + s.end - s.start, 0);
        return ms > 0 ? (inside.reduce((n, s) => n + s.syllables, 0) * 1000) / ms : 0;
      });
    expect(pace[0]!).toBeGreaterThan(0);
    expect(pace[0]!).toBeLessThan(pace[1]!);
    expect(pace[1]!).toBeLessThan(pace[2]!);
    // The long-silence rule (silence > 15 s) fired during the second dead air, from the live
    // call readings, and its hint shows in the side panel.
    await panel.locator(`[data-testid="conversation-tab"][data-conversation="${conversationId}"]`).click();
    await panel.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('[data-testid="hint-text"]')).some((e) =>
          /still checking that for you|正在为您查询|正在為您查詢/.test(e.textContent ?? ''),
        ),
      undefined,
      { timeout: 10_000 },
    );
    const last = (await states()).at(-1)!;
    expect(last.phase).toBe('stopped');
    expect(last.deadAir.count).toBeGreaterThanOrEqual(2);
    expect(last.interruptions).toBeGreaterThanOrEqual(1);
  });

  it('shows the live captions as voice turns with emotion labels in the side panel', async () => {
    const captions = await phone.$$eval('#captions .caption', (els) =>
      els.map((el) => ({
        speaker: el.getAttribute('data-speaker'),
        text: el.querySelector('.caption__text')?.textContent ?? '',
      })),
    );
    expect(captions.length).toBe(call.passages.length);
    await panel.reload();
    await panel.waitForSelector('.panel');
    await panel.locator(`[data-testid="conversation-tab"][data-conversation="${conversationId}"]`).click();
    // Caption turns only: the speech server's turns have seqs of their own (checked below).
    await panel.waitForFunction(
      ([n, base]) => {
        const turns = Array.from(
          document.querySelectorAll('[data-testid="conversation"] [data-testid="turn"]'),
        ).filter((t) => Number(t.getAttribute('data-seq')) < base);
        return turns.length >= n && turns.every((t) => t.getAttribute('data-emotion'));
      },
      [captions.length, ASR_SEQ_BASE / 2] as const,
      { timeout: 30_000 },
    );
    const turns = await panel.$$eval(
      '[data-testid="conversation"] [data-testid="turn"]',
      (els, base) =>
        els
          .filter((el) => Number(el.getAttribute('data-seq')) < base)
          .map((el) => ({
            speaker: el.getAttribute('data-speaker'),
            emotion: el.getAttribute('data-emotion'),
            text: el.querySelector('[data-testid="turn-text"]')?.textContent ?? '',
          })),
      ASR_SEQ_BASE / 2,
    );
    expect(turns.map((t) => t.speaker)).toEqual(captions.map((c) => c.speaker));
    // The call's long dead air (16 s) was kept with the conversation: the reloaded panel shows it.
    await panel.waitForSelector('[data-testid="finding"][data-rule="call.dead-air"]', { timeout: 10_000 });
    expect(turns.map((t) => t.text)).toEqual(captions.map((c) => c.text));
    for (const t of turns) expect(['angry', 'frustrated', 'neutral', 'positive']).toContain(t.emotion);
  });
  it("streams each side's audio at 16 kHz to the configured speech server; its results are voice turns of that side", async () => {
    // The call was stopped above: both streams ended with eof after their last results.
    expect(vosk.connections).toHaveLength(2);
    for (const c of vosk.connections) {
      expect(c.sampleRate).toBe(16_000);
      expect(c.eof).toBe(true);
      // 16-bit mono at 16 kHz, whatever the sources' rates (48 and 44.1 kHz here).
      const seconds = c.bytes / 2 / 16_000;
      const wall = (c.lastAudioAt! - c.firstAudioAt!) / 1000;
      expect(seconds).toBeGreaterThan(20);
      expect(seconds / wall).toBeGreaterThan(0.9);
      expect(seconds / wall).toBeLessThan(1.1);
      expect(c.finals.length).toBeGreaterThanOrEqual(1);
    }
    const sent = vosk.connections.reduce((n, c) => n + c.finals.length, 0);
    await panel.waitForFunction(
      ([n, base]) =>
        Array.from(document.querySelectorAll('[data-testid="conversation"] [data-testid="turn"]')).filter(
          (t) => Number(t.getAttribute('data-seq')) >= base && t.getAttribute('data-emotion'),
        ).length >= n,
      [sent, ASR_SEQ_BASE] as const,
      { timeout: 30_000 },
    );
    const asr = await panel.$$eval(
      '[data-testid="conversation"] [data-testid="turn"]',
      (els, base) =>
        els
          .filter((el) => Number(el.getAttribute('data-seq')) >= base)
          .map((el) => ({
            seq: Number(el.getAttribute('data-seq')),
            speaker: el.getAttribute('data-speaker'),
            emotion: el.getAttribute('data-emotion'),
            text: el.querySelector('[data-testid="turn-text"]')?.textContent ?? '',
          })),
      ASR_SEQ_BASE,
    );
    expect(asr).toHaveLength(sent);
    for (const t of asr) {
      expect(ASR_PHRASES).toContain(t.text);
      expect(['angry', 'frustrated', 'neutral', 'positive']).toContain(t.emotion);
      // The seq's low bit is the side, as the session assigned it from the channel.
      expect(t.speaker).toBe((t.seq - ASR_SEQ_BASE) % 2 === 1 ? 'customer' : 'agent');
    }
    expect(new Set(asr.map((t) => t.speaker))).toEqual(new Set(['agent', 'customer']));
    // Speaker by channel: each recognised turn ends where that side's own speech ends (the audio
    // worker's segments), not the other side's. One offset (stream open vs. analysis start) fits all.
    const { startedAt, events: ev } = recorded!;
    const segs = ev.filter((e): e is Extract<CallEventRecord, { type: 'segment' }> => e.type === 'segment');
    const ends = asr.map((t) => Math.floor((t.seq - ASR_SEQ_BASE) / 2) - startedAt);
    const nearest = (ms: number) =>
      segs.reduce((best, s) => (Math.abs(s.end - ms) < Math.abs(best.end - ms) ? s : best), segs[0]!);
    let offset = 0;
    let bestCost = Number.POSITIVE_INFINITY;
    for (let o = -1000; o <= 4000; o += 25) {
      const cost = ends.reduce((n, e) => n + Math.abs(nearest(e - o).end - (e - o)), 0);
      if (cost < bestCost) [bestCost, offset] = [cost, o];
    }
    asr.forEach((t, i) => {
      const s = nearest(ends[i]! - offset);
      expect(Math.abs(s.end - (ends[i]! - offset)), `turn ${i} end`).toBeLessThan(800);
      expect(s.channel, `turn ${i} (${t.text})`).toBe(t.speaker);
    });
  });
  it('keeps the customer side and the metrics when the headset is unplugged mid-call', async () => {
    // The panel was reloaded above: listen on a new port.
    await listenForCalls(panel);
    const tabId = await tabIdOf(phone);
    const r = await panelSend<{ ok: boolean; reason?: string }>({ type: 'call-start', tabId, mic: true });
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
    const carried = ['live', 'silent'];
    await untilState('both sides captured', (s) => s.phase === 'live' && s.agent.status === 'live');
    await phone.evaluate(() =>
      (window as unknown as { softphone: { unplugMicrophone(): void } }).softphone.unplugMicrophone(),
    );
    const gone = await untilState(
      'the microphone reported gone',
      (s) => s.phase === 'live' && s.agent.status === 'ended' && s.agent.reasonKey === 'micGone',
    );
    expect(carried).toContain(gone.customer.status);
    // The call goes on: the customer side is still analysed and the clock runs on.
    const later = await untilState(
      'the call going on without the microphone',
      (s) => s.phase === 'live' && s.elapsedMs > gone.elapsedMs + 2000,
    );
    expect(later.agent.status).toBe('ended');
    expect(carried).toContain(later.customer.status);
    await panelSend({ type: 'call-stop', tabId });
    const stopped = await untilState('stopped', (s) => s.phase === 'stopped');
    expect(stopped.elapsedMs).toBeGreaterThanOrEqual(later.elapsedMs);
    expect(stopped.agent.status).toBe('ended');
  });
  it('a call outlives the service worker: the call goes on and its metrics so far are kept', async () => {
    // A panel port that reconnects, as the side panel's does, when the service worker goes away.
    await listenForCalls(panel, { reconnect: true });
    const tabId = await tabIdOf(phone);
    const r = await panelSend<{ ok: boolean; reason?: string }>({ type: 'call-start', tabId, mic: true });
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
    // Restarting the service worker takes longer than a state change.
    const until = (what: string, ok: (s: CallState) => boolean) => untilState(what, ok, 30_000);
    // The headset is still unplugged from the test above: the customer side carries this call.
    const before = await until(
      'the call running',
      (s) => s.phase === 'live' && ['live', 'silent'].includes(s.customer.status) && s.elapsedMs > 3000,
    );
    await softphone.serviceWorker()!.evaluate(() => {
      (globalThis as unknown as { sottoBeforeStop?: boolean }).sottoBeforeStop = true;
    });
    const cdp = await softphone.context.newCDPSession(panel);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await cdp.detach();
    // The call's own messages wake a new service worker; the readings continue from where they were.
    const after = await until(
      'readings after the restart',
      (s) => s.phase === 'live' && s.startedAt === before.startedAt && s.elapsedMs > before.elapsedMs + 3000,
    );
    expect(after.deadAir.count).toBeGreaterThanOrEqual(before.deadAir.count);
    await expect
      .poll(async () => {
        const w = softphone.serviceWorker();
        return w
          ? w.evaluate(() => (globalThis as { sottoBeforeStop?: boolean }).sottoBeforeStop ?? false)
          : true;
      })
      .toBe(false);
    await panelSend({ type: 'call-stop', tabId });
    const stopped = await until('stopped', (s) => s.phase === 'stopped' && s.startedAt === before.startedAt);
    expect(stopped.elapsedMs).toBeGreaterThanOrEqual(after.elapsedMs);
  });
});
