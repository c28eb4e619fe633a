/**
 * One way for unit tests to attach a `ConsoleAttachment` to the happy-dom page: it records what
 * was sent, the attach states reported and the cost of each callback, and `detachAll` (in
 * `afterEach`) stops every attachment a test started.
 */
import { ConsoleAttachment } from '../../../lib/adapters/attachment';
import type { AdapterSpec } from '../../../lib/adapters/spec';
import type { Utterance } from '../../../lib/utterance';

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
