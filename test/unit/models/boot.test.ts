import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { bootModels } from '../../../lib/models/boot';

ort.env.wasm.numThreads = 1;

const MODELS = new URL('../../../models/', import.meta.url).pathname;
const MANIFEST_URL = 'http://models.test/models/manifest.json';

/** Serves the shipped models/ folder (optionally with one file replaced) the way the extension serves it. */
function serve(overrides: Record<string, Uint8Array> = {}): typeof fetch {
  return (async (input: string | URL | Request) => {
    const path = new URL(String(input)).pathname.replace(/^\/models\//, '');
    try {
      const body = overrides[path] ?? new Uint8Array(readFileSync(MODELS + path));
      return new Response(body as Uint8Array<ArrayBuffer>);
    } catch {
      return new Response('missing', { status: 404 });
    }
  }) as typeof fetch;
}

describe('bootModels', { timeout: 120_000 }, () => {
  it('opens every shipped model, verified, and they answer', async () => {
    const r = await bootModels(ort, { manifestUrl: MANIFEST_URL, fetch: serve() });
    expect(r.errors).toEqual([]);
    expect([...r.models.keys()].sort()).toEqual(['emotion', 'intent']);
    const [e] = await r.models
      .get('emotion')!
      .classify([{ text: '我要去12315投诉你们', speaker: 'customer' }]);
    expect(e!.label).toBe('angry');
    expect(r.timings.emotionLoaded).toBeGreaterThanOrEqual(r.timings.manifest!);
    for (const m of r.models.values()) await m.release();
  });

  it('with reference: answers before onnxruntime-web is up, then hands over; a bundled manifest skips its fetch', async () => {
    const manifest = JSON.parse(readFileSync(`${MODELS}manifest.json`, 'utf8'));
    const fetched: string[] = [];
    const base = serve();
    const spy = ((input: string | URL | Request) => {
      fetched.push(new URL(String(input)).pathname);
      return base(input as string);
    }) as typeof fetch;
    // The real onnxruntime-web, held back until the reference answers were checked: in Node its
    // start can beat the file checks, in a cold browser it takes most of a second.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const held = {
      env: ort.env,
      Tensor: ort.Tensor,
      InferenceSession: {
        create: async (...a: Parameters<typeof ort.InferenceSession.create>) => {
          await gate;
          return ort.InferenceSession.create(...a);
        },
      },
    } as unknown as typeof ort;
    const r = await bootModels(held, { manifestUrl: MANIFEST_URL, manifest, fetch: spy, reference: true });
    expect(r.errors).toEqual([]);
    expect(fetched).not.toContain('/models/manifest.json');
    const emotion = r.models.get('emotion')!;
    expect(emotion.engine).toBe('reference');
    const line = { text: '我要去12315投诉你们', speaker: 'customer' as const };
    const [early] = await emotion.classify([line]);
    expect(early!.label).toBe('angry');
    open();
    expect(await r.ready).toEqual({ errors: [] });
    expect(emotion.engine).toBe('onnxruntime');
    expect(r.models.get('intent')!.engine).toBe('onnxruntime');
    const [late] = await emotion.classify([line]);
    expect(late!.probs.angry).toBeCloseTo(early!.probs.angry!, 5);
    expect(r.timings.emotionLoaded).toBeGreaterThanOrEqual(r.timings.emotionReference!);
    for (const m of r.models.values()) await m.release();
  });

  it('with reference and a loader: onnxruntime-web is imported only after every model answers, once', async () => {
    const manifest = JSON.parse(readFileSync(`${MODELS}manifest.json`, 'utf8'));
    let loads = 0;
    let answeredBeforeLoad = 0;
    let r: Awaited<ReturnType<typeof bootModels>> | undefined;
    const loader = async () => {
      loads++;
      // By the time ORT is asked for, bootModels has returned and both models answer.
      answeredBeforeLoad = r ? r.models.size : -1;
      return ort;
    };
    r = await bootModels(loader, { manifestUrl: MANIFEST_URL, manifest, fetch: serve(), reference: true });
    expect(r.errors).toEqual([]);
    expect(loads).toBe(0);
    const [first] = await r.models
      .get('intent')!
      .classify([{ text: 'where is my parcel', speaker: 'customer' }]);
    expect(first!.label).toBeTruthy();
    expect(await r.ready).toEqual({ errors: [] });
    expect(loads).toBe(1);
    expect(answeredBeforeLoad).toBe(2);
    for (const m of r.models.values()) expect(m.engine).toBe('onnxruntime');
    for (const m of r.models.values()) await m.release();
  });

  it('refuses a corrupt model with a clear error and still opens the other', async () => {
    const manifest = JSON.parse(readFileSync(`${MODELS}manifest.json`, 'utf8'));
    const file = manifest.models.find((m: { name: string }) => m.name === 'intent').file as string;
    const corrupt = new Uint8Array(readFileSync(MODELS + file));
    corrupt[corrupt.length - 10]! ^= 0xff;
    const r = await bootModels(ort, { manifestUrl: MANIFEST_URL, fetch: serve({ [file]: corrupt }) });
    expect([...r.models.keys()]).toEqual(['emotion']);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/intent.*sha256/);
    for (const m of r.models.values()) await m.release();
  });

  it('reports an unreadable manifest instead of throwing', async () => {
    const r = await bootModels(ort, {
      manifestUrl: MANIFEST_URL,
      fetch: serve({ 'manifest.json': new TextEncoder().encode('{"version":1,"models":[{}]}') }),
    });
    expect(r.models.size).toBe(0);
    expect(r.errors[0]).toMatch(/manifest invalid/);
  });
});
