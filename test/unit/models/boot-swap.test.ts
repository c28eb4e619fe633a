/**
 * A team's model manifest swapped into the running analysis (issue 9): the real shipped model
 * files booted by `bootModels`, the real `AnalysisPipeline` reading its classifiers from
 * `LiveModels`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { afterEach, describe, expect, it } from 'vitest';
import { AnalysisPipeline, type PipelineDeps } from '../../../lib/analysis/pipeline';
import { type BootResult, bootModels } from '../../../lib/models/boot';
import { LiveModels } from '../../../lib/models/boot-swap';
import type { ModelManifest } from '../../../lib/models/manifest';
import type { Utterance } from '../../../lib/utterance';

ort.env.wasm.numThreads = 1;

const MODELS = new URL('../../../models/', import.meta.url).pathname;
const MANIFEST_URL = 'http://models.test/models/manifest.json';
/**
 * The shipped manifest, its sizes and hashes taken from the files as they are on disk, so a model
 * being retrained in the working tree does not stand in for a failed swap.
 */
const SHIPPED = JSON.parse(readFileSync(`${MODELS}manifest.json`, 'utf8')) as ModelManifest;
for (const m of SHIPPED.models) {
  const bytes = readFileSync(MODELS + m.file);
  m.bytes = bytes.length;
  m.sha256 = createHash('sha256').update(bytes).digest('hex');
}
const ANGRY = '你们太过分了，我要去12315投诉你们！';

const serve = (async (input: string | URL | Request) => {
  const path = new URL(String(input)).pathname.replace(/^\/models\//, '');
  try {
    return new Response(new Uint8Array(readFileSync(MODELS + path)) as Uint8Array<ArrayBuffer>);
  } catch {
    return new Response('missing', { status: 404 });
  }
}) as typeof fetch;

const boot = (manifest: unknown): Promise<BootResult> =>
  bootModels(ort, { manifestUrl: MANIFEST_URL, manifest, fetch: serve, reference: true });

function teamManifest(edit: (m: ModelManifest) => void): ModelManifest {
  const m = structuredClone(SHIPPED);
  edit(m);
  return m;
}

let n = 0;
const turn = (speaker: Utterance['speaker'], text: string): Utterance => ({
  conversationId: 'c1',
  seq: n++,
  speaker,
  text,
  ts: 1_700_000_000_000 + n,
  channel: 'chat',
  source: 'dom',
});

let live: LiveModels | undefined;
afterEach(async () => {
  for (const task of ['emotion', 'intent'] as const) await live?.get(task)?.release();
  live = undefined;
});

async function started(): Promise<{ live: LiveModels; pipeline: AnalysisPipeline; deps: PipelineDeps }> {
  const first = await boot(SHIPPED);
  expect(first.errors).toEqual([]);
  const deps: PipelineDeps = {};
  live = new LiveModels(first.models, (c) => {
    deps.emotion = c.emotion;
    deps.intent = c.intent;
  });
  return { live, pipeline: new AnalysisPipeline(deps), deps };
}

describe('LiveModels', { timeout: 120_000 }, () => {
  it("swaps in a team manifest that narrows the customer's emotion labels; the next turn follows it", async () => {
    const { live, pipeline } = await started();
    const [before] = await pipeline.analyse([turn('customer', ANGRY)]);
    expect(before!.emotion?.label).toBe('angry');
    const restricted = teamManifest((m) => {
      const emotion = m.models.find((e) => e.task === 'emotion')!;
      emotion.labelSets = { customer: ['neutral', 'positive'] };
    });
    const swap = await live.swap(() => boot(restricted));
    expect(swap).toEqual({ applied: true, models: live.names, errors: [] });
    const [after] = await pipeline.analyse([turn('customer', ANGRY)]);
    expect(['neutral', 'positive']).toContain(after!.emotion?.label);
    expect(after!.emotion?.probs.angry ?? 0).toBe(0);
    // The agent's labels were not narrowed.
    expect(live.get('emotion')!.entry.labelSets).toEqual({ customer: ['neutral', 'positive'] });
  });

  it('a task the team manifest drops gives no answers; the other task still answers', async () => {
    const { live, pipeline } = await started();
    const [before] = await pipeline.analyse([turn('customer', 'where is my parcel? order 1234')]);
    expect(before!.intent).toBeDefined();
    const swap = await live.swap(() =>
      boot(
        teamManifest((m) => {
          m.models = m.models.filter((e) => e.task !== 'intent');
        }),
      ),
    );
    expect(swap.applied).toBe(true);
    expect(swap.models).toEqual([expect.stringMatching(/^emotion@/)]);
    const [after] = await pipeline.analyse([turn('customer', 'where is my parcel? order 1234')]);
    expect(after!.intent).toBeUndefined();
    expect(after!.emotion).toBeDefined();
  });

  it('keeps the previous models when the new boot fails, and says why', async () => {
    const { live, pipeline } = await started();
    const names = live.names;
    const emotion = live.get('emotion');
    // A manifest whose intent entry claims another file's bytes: the sha256 check refuses it.
    const wrong = teamManifest((m) => {
      const intent = m.models.find((e) => e.task === 'intent')!;
      intent.sha256 = 'f'.repeat(64);
    });
    const swap = await live.swap(() => boot(wrong));
    expect(swap.applied).toBe(false);
    expect(swap.models).toEqual(names);
    expect(swap.errors.join(' ')).toMatch(/intent.*sha256/);
    expect(live.get('emotion')).toBe(emotion);
    const [a] = await pipeline.analyse([turn('customer', ANGRY)]);
    expect(a!.emotion?.label).toBe('angry');
    expect(a!.intent).toBeDefined();
    // A boot that throws is kept out the same way.
    const thrown = await live.swap(() => Promise.reject(new Error('manifest unreadable')));
    expect(thrown).toEqual({ applied: false, models: names, errors: ['manifest unreadable'] });
  });

  it('answers with the previous models until the new ones are ready', async () => {
    const { live, pipeline } = await started();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const restricted = teamManifest((m) => {
      m.models.find((e) => e.task === 'emotion')!.labelSets = { customer: ['positive', 'neutral'] };
    });
    const pending = live.swap(async () => {
      await gate;
      return boot(restricted);
    });
    const [during] = await pipeline.analyse([turn('customer', ANGRY)]);
    expect(during!.emotion?.label).toBe('angry');
    open();
    expect((await pending).applied).toBe(true);
    const [after] = await pipeline.analyse([turn('customer', ANGRY)]);
    expect(after!.emotion?.label).not.toBe('angry');
  });
});
