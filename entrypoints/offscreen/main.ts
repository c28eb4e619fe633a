/**
 * The offscreen document owns the analysis worker. It takes 'analyse' batches from the
 * background and sends 'analyses' back; bursts are coalesced into one worker call. It answers the
 * console script's draft checks on their `presend` port itself (lib/adapters/presend-direct.ts).
 */
import * as Comlink from 'comlink';
import { browser } from 'wxt/browser';
import { PRESEND_PORT, directAnswerer } from '@/lib/adapters/presend-direct';
import { MAX_BATCH, parseMessage } from '@/lib/messages';
import type { Utterance } from '@/lib/utterance';
import { extensionId, extensionOrigin, extensionUrl, listen, send } from '@/platform/runtime';
import { senderKind } from '@/lib/messages';
import AnalysisWorker from '@/workers/analysis.worker?worker';
import type { AnalysisWorkerApi } from '@/workers/analysis.worker';
// Call monitoring (tab + microphone → audio worker) lives beside the analysis worker.
import './audio';
// The document push, followed here too so that it reaches a stopped service worker.
import './document-push';

const worker = Comlink.wrap<AnalysisWorkerApi>(new AnalysisWorker());

/** The enrolled team's published rulebooks, kept by the background; none: the shipped ones run. */
async function teamRulebooks(): Promise<unknown[] | undefined> {
  const r = await send<{ ok: boolean; reply?: { rulebooks?: unknown[] } } | undefined>({
    type: 'team-rulebooks',
  }).catch(() => undefined);
  return r?.ok ? r.reply?.rulebooks : undefined;
}

/**
 * The enrolled team's model manifest, kept by the background (validated: shipped model files
 * only); none: the shipped manifest runs.
 */
async function teamModels(): Promise<unknown | undefined> {
  const r = await send<{ ok: boolean; reply?: { manifest?: unknown } } | undefined>({
    type: 'team-models',
  }).catch(() => undefined);
  return r?.ok ? r.reply?.manifest : undefined;
}

const ready = Promise.all([teamRulebooks(), teamModels()])
  .then(([rulebooks, models]) =>
    worker.init({
      ortWasmUrl: extensionUrl('/ort/ort-wasm-simd-threaded.wasm'),
      modelManifestUrl: extensionUrl('/models/manifest.json'),
      ...(rulebooks ? { teamRulebooks: rulebooks } : {}),
      ...(models !== undefined ? { teamModels: models } : {}),
    }),
  )
  .then(async (r) => {
    for (const e of r.errors) console.error('[sotto] analysis setup:', e);
    await send({
      type: 'offscreen-ready',
      coldStartMs: r.coldStartMs,
      models: r.models,
      rulebooks: r.rulebooks,
      // For the background's log (a team model manifest that could not be applied, a model refused).
      ...(r.errors.length ? { errors: r.errors.slice(0, 20).map((e) => e.slice(0, 500)) } : {}),
    });
    return r;
  });

/**
 * A new team model manifest (or none: the shipped one again) from the background: the worker
 * re-boots its models from it, answering with the running ones until the new ones are ready and
 * keeping them if the new boot fails. Answers once it is decided, with what runs and why.
 */
function onModelsUpdate(raw: unknown, sender: Parameters<Parameters<typeof listen>[0]>[1]) {
  if ((raw as { target?: string } | null)?.target !== 'offscreen-models') return undefined;
  const r = parseMessage(raw);
  if (!r.ok || r.message.type !== 'models-update')
    return Promise.resolve({ ok: false, reason: r.ok ? 'not a models-update message' : r.reason });
  if (senderKind(sender, extensionId(), extensionOrigin()) !== 'extension-page')
    return Promise.resolve({ ok: false, reason: 'models-update is accepted from the background only' });
  const { manifest } = r.message;
  return ready
    .then(() => worker.swapModels(manifest))
    .then((swap) => {
      for (const e of swap.errors) console.error('[sotto] team model manifest not applied:', e);
      return { ok: true, ...swap };
    });
}
listen(onModelsUpdate);

const queue: Utterance[] = [];
let running = false;

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  try {
    await ready;
    while (queue.length > 0) {
      // Coalesced, but never past what the background accepts in one 'analyses' message: the
      // batches queued while the worker started used to go back as one, refused whole, and
      // those turns were never analysed.
      const batch = queue.splice(0, MAX_BATCH);
      const analyses = await worker.analyse(batch);
      await send({ type: 'analyses', analyses });
    }
  } catch (e) {
    console.error('[sotto] analysis failed', e);
  } finally {
    running = false;
  }
}

listen((raw, sender) => {
  if ((raw as { target?: string } | null)?.target !== 'offscreen') return undefined;
  const t0 = performance.now();
  const r = parseMessage(raw);
  if (r.ok && r.message.type === 'check-draft') {
    if (senderKind(sender, extensionId(), extensionOrigin()) !== 'extension-page')
      return Promise.resolve({ ok: false, reason: 'check-draft is accepted from the background only' });
    // Not queued behind analysis batches: the agent is waiting on this one.
    const { text, conversationId } = r.message;
    return ready
      .then(() => worker.checkDraft(text, conversationId))
      .then(({ hits, ms }) => ({
        ok: true,
        hits,
        // How long this document held the check and the worker's share, for bench:presend.
        timing: { offscreenMs: performance.now() - t0, workerMs: ms },
      }));
  }
  if (r.ok && r.message.type === 'rulebooks-update') {
    if (senderKind(sender, extensionId(), extensionOrigin()) !== 'extension-page')
      return Promise.resolve({ ok: false, reason: 'rulebooks-update is accepted from the background only' });
    // After init. A batch's rule pass is synchronous in the worker, so it sees one set or the other.
    const { rulebooks } = r.message;
    return ready
      .then(() => worker.swapRules(rulebooks))
      .then((swap) => {
        for (const e of swap.errors) console.error('[sotto] rulebook kept at its previous version:', e);
        return { ok: true, ...swap };
      });
  }
  if (!r.ok || r.message.type !== 'analyse')
    return Promise.resolve({ ok: false, reason: r.ok ? 'not an analyse message' : r.reason });
  if (senderKind(sender, extensionId(), extensionOrigin()) !== 'extension-page') {
    return Promise.resolve({ ok: false, reason: 'analyse is accepted from the background only' });
  }
  queue.push(...r.message.utterances);
  void drain();
  return Promise.resolve({ ok: true });
});

/**
 * The pre-send switch as the background last said (this document cannot read the settings or the
 * policy): asked for when the document starts, pushed by the background when it changes.
 */
let presendSwitch: Promise<boolean | undefined> | undefined;
function askPresendSwitch(): Promise<boolean | undefined> {
  return send<{ ok: boolean; reply?: { enabled?: boolean } } | undefined>({ type: 'presend-switch-query' })
    .then((r) => (r?.ok && typeof r.reply?.enabled === 'boolean' ? r.reply.enabled : undefined))
    .catch(() => undefined);
}
presendSwitch = askPresendSwitch();

listen((raw, sender) => {
  if ((raw as { target?: string } | null)?.target !== 'offscreen-presend') return undefined;
  const r = parseMessage(raw);
  if (!r.ok || r.message.type !== 'presend-switch')
    return Promise.resolve({ ok: false, reason: r.ok ? 'not a presend-switch message' : r.reason });
  if (senderKind(sender, extensionId(), extensionOrigin()) !== 'extension-page')
    return Promise.resolve({ ok: false, reason: 'presend-switch is accepted from the background only' });
  presendSwitch = Promise.resolve(r.message.enabled);
  return Promise.resolve({ ok: true });
});

const direct = directAnswerer({
  extensionId: extensionId(),
  extensionOrigin: extensionOrigin(),
  async presendOn() {
    // Not known (the background did not answer when this document started): asked again.
    const known = await presendSwitch;
    if (known !== undefined) return known;
    presendSwitch = askPresendSwitch();
    return presendSwitch;
  },
  // Not queued behind analysis batches: the agent is waiting on this one.
  check: (text, conversationId) => ready.then(() => worker.checkDraft(text, conversationId)),
});

// The console script's draft checks, straight from its tab. Said first on the port: taken, or
// refused with the reason and closed (its checks then go the background's way, which refuses too).
browser.runtime.onConnect.addListener((port) => {
  if (port.name !== PRESEND_PORT) return;
  const s = port.sender;
  const refusal = direct.refusal({
    ...(s?.id !== undefined ? { id: s.id } : {}),
    ...(s?.url !== undefined ? { url: s.url } : {}),
    ...(s?.tab?.id !== undefined ? { tabId: s.tab.id } : {}),
    ...(s?.frameId !== undefined ? { frameId: s.frameId } : {}),
  });
  port.postMessage(
    refusal ? { type: 'presend-ready', ok: false, reason: refusal } : { type: 'presend-ready', ok: true },
  );
  if (refusal) {
    port.disconnect();
    return;
  }
  port.onMessage.addListener((raw: unknown) => {
    void direct.answer(raw).then((reply) => {
      try {
        if (reply) port.postMessage(reply);
      } catch {
        // The tab went away (or navigated) before its answer.
      }
    });
  });
});
