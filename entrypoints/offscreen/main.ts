/**
 * The offscreen document owns the analysis worker. It takes 'analyse' batches from the
 * background and sends 'analyses' back; bursts are coalesced into one worker call. It takes no
 * port connections: a context that takes a port keeps it open when the service worker stops, and
 * the console and side-panel ports would then never see it go away. Draft checks reach the worker
 * on the draft link (a MessageChannel this document makes between the service worker and the
 * worker), or as 'check-draft' through here while there is none.
 */
import * as Comlink from 'comlink';
import { MAX_BATCH, parseMessage } from '@/lib/messages';
import type { Utterance } from '@/lib/utterance';
import { extensionId, extensionOrigin, extensionUrl, listen, send } from '@/platform/runtime';
import { senderKind } from '@/lib/messages';
import AnalysisWorker from '@/workers/analysis.worker?worker';
import type { AnalysisWorkerApi } from '@/workers/analysis.worker';
import { offerLink } from '@/platform/links';
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

/** An `analyse` batch from the background: queued for the worker; undefined when taken, else why not. */
function take(r: ReturnType<typeof parseMessage>): string | undefined {
  if (!r.ok) return r.reason;
  if (r.message.type !== 'analyse') return 'not an analyse message';
  queue.push(...r.message.utterances);
  void drain();
  return undefined;
}

/**
 * The draft link (lib/adapters/draft-link.ts): a channel from the service worker straight to the
 * analysis worker, so a keystroke's check skips this document's messaging. Made once the worker
 * has started and again whenever the service worker asks (it loses its end when it stops).
 */
async function makeLinks(): Promise<void> {
  await ready;
  const draft = new MessageChannel();
  await worker.draftLink(Comlink.transfer(draft.port1, [draft.port1]));
  await offerLink(draft.port2);
}
let linking: Promise<void> = Promise.resolve();
/**
 * One after another: two offers made at once could reach the service worker in the other order,
 * leaving it a link whose worker end the later one closed.
 */
function link(): Promise<void> {
  const next = linking.then(makeLinks);
  linking = next.catch(() => {});
  return next;
}
const linkFailed = (e: unknown) => console.error('[sotto] links not made:', e);
link().catch(linkFailed);

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
  if (r.ok && r.message.type === 'link-request') {
    if (senderKind(sender, extensionId(), extensionOrigin()) !== 'extension-page')
      return Promise.resolve({ ok: false, reason: 'link-request is accepted from the background only' });
    return link().then(
      () => ({ ok: true }),
      (e: unknown) => {
        linkFailed(e);
        return { ok: false, reason: String(e).slice(0, 500) };
      },
    );
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
  if (
    r.ok &&
    r.message.type === 'analyse' &&
    senderKind(sender, extensionId(), extensionOrigin()) !== 'extension-page'
  )
    return Promise.resolve({ ok: false, reason: 'analyse is accepted from the background only' });
  const reason = take(r);
  return Promise.resolve(reason === undefined ? { ok: true } : { ok: false, reason });
});
