/**
 * The background's relay of a draft check (console script → background → analysis worker, on
 * the draft link or through the offscreen document). Every keystroke's check used to read the
 * settings and the enterprise policy (two storage reads) and look the offscreen document up
 * (`runtime.getContexts`) before asking it: three browser round trips the agent waited on. Here
 * the pre-send switch is read once and again only after the settings or the policy change, and
 * the offscreen document is asked straight away once it has answered (`Reachable`, shared with
 * the analyse path). A cold browser still retries until the worker answers or the deadline
 * passes (fail open).
 */
import type { Reachable } from '../background/reachable';
import type { DraftHit } from './presend';
import { type RetryOptions, untilReady } from './presend-retry';

export interface DraftRelayDeps {
  /** Whether policy or the options page turned the pre-send check off. */
  presendOff(): Promise<boolean>;
  /** The offscreen document: looked up (and created) only when it did not answer last time. */
  offscreen: Reachable;
  /** Asks the analysis worker; undefined or `ok: false` when it cannot answer yet. */
  ask(
    text: string,
    conversationId: string | undefined,
  ): Promise<{ ok: boolean; hits?: DraftHit[] } | undefined>;
  /** Called when the worker did not answer before the deadline. */
  onTimeout?(): void;
  retry?: RetryOptions;
}

export interface DraftRelay {
  check(text: string, conversationId: string | undefined): Promise<DraftHit[]>;
  /** Whether the pre-send check is on, as `check` reads it (once, again after `settingsChanged`). */
  presendOn(): Promise<boolean>;
  /** The settings or the policy changed: the switch is read again on the next check. */
  settingsChanged(): void;
}

export function draftRelay(deps: DraftRelayDeps): DraftRelay {
  let off: Promise<boolean> | undefined;
  const isOff = () => {
    off ??= deps.presendOff().catch(() => false);
    return off;
  };
  return {
    settingsChanged() {
      off = undefined;
    },
    presendOn: async () => !(await isOff()),
    async check(text, conversationId) {
      // Enterprise policy or the options page can turn the check off: no hits, nothing held.
      if (await isOff()) return [];
      const r = await untilReady(
        async () => {
          const a = await deps.offscreen
            .ask(
              () => deps.ask(text, conversationId),
              (r) => r?.ok === true,
            )
            .catch(() => undefined);
          return a?.ok ? (a.hits ?? []) : undefined;
        },
        [] as DraftHit[],
        deps.retry,
      );
      if (!r.ready) deps.onTimeout?.();
      return r.value;
    },
  };
}
