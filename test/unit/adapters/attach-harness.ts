/**
 * One way for unit tests to attach a `ConsoleAttachment` to the happy-dom page: it records what
 * was sent, the attach states reported and the cost of each callback, and `detachAll` (in
 * `afterEach`, or registered by `detachAfterEach`) stops every attachment a test started.
 * `testSpec`/`specInput` give an adapter for a test console from only the parts a test is about.
 */
import { afterEach, vi } from 'vitest';
import { ConsoleAttachment } from '../../../lib/adapters/attachment';
import { AdapterSpec, type AdapterSpecInput } from '../../../lib/adapters/spec';
import type { Utterance } from '../../../lib/utterance';

/** What a test chooses of an adapter: how its console's log, speakers, text and conversation are read. */
export type SpecParts = Omit<AdapterSpecInput, 'id' | 'name' | 'version' | 'matches'>;

/** An adapter (unparsed, to vary or to validate) for a test console served at http://127.0.0.1/. */
export function specInput(id: string, parts: SpecParts): AdapterSpecInput {
  return { id, name: id, version: 1, matches: ['http://127.0.0.1/*'], ...parts };
}

/** The same adapter, parsed. */
export function testSpec(id: string, parts: SpecParts): AdapterSpec {
  return AdapterSpec.parse(specInput(id, parts));
}

/** Lets observer callbacks and settled sends run. */
export const tick = () => new Promise((r) => setTimeout(r, 0));

export interface Attached {
  attachment: ConsoleAttachment;
  sent: Utterance[];
  states: unknown[];
  costs: { ms: number; utterances: number }[];
}

const controllers: AbortController[] = [];

export function attachTo(
  spec: AdapterSpec,
  opts: { send?: (us: Utterance[]) => Promise<void>; now?: () => number } = {},
): Attached {
  const controller = new AbortController();
  controllers.push(controller);
  const sent: Utterance[] = [];
  const states: unknown[] = [];
  const costs: Attached['costs'] = [];
  const attachment = new ConsoleAttachment({
    win: window as unknown as Window & typeof globalThis,
    spec,
    signal: controller.signal,
    now: opts.now ?? (() => 1000),
    send:
      opts.send ??
      (async (us) => {
        sent.push(...us);
      }),
    report: (s) => states.push(s),
    cost: (ms, utterances) => costs.push({ ms, utterances }),
  });
  attachment.start();
  return { attachment, sent, states, costs };
}

export function detachAll(): void {
  for (const c of controllers.splice(0)) c.abort();
}

/** Registers an `afterEach` that detaches every attachment and restores every spy. */
export function detachAfterEach(): void {
  afterEach(() => {
    detachAll();
    vi.restoreAllMocks();
  });
}
