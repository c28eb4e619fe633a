/**
 * The background's relay of a draft check (console script → background → offscreen document →
 * analysis worker). Every keystroke's check used to read the settings and the enterprise policy
 * (two storage reads) and look the offscreen document up (`runtime.getContexts`) before asking
 * it: three browser round trips the agent waited on. Here the pre-send switch is read once and
 * again only after the settings or the policy change, and the offscreen document is asked
 * straight away once it has answered; it is looked up (and created) again only when it does not
 * answer. A cold browser still retries until the worker answers or the deadline passes (fail open).
 */
import type { DraftHit } from './presend';
import { type RetryOptions, untilReady } from './presend-retry';

export interface DraftRelayDeps {
  /** Whether policy or the options page turned the pre-send check off. */
  presendOff(): Promise<boolean>;
  /** Makes sure the offscreen document exists (creates it when missing). */
  ensureOffscreen(): Promise<void>;
  /** Asks the offscreen document; undefined or `ok: false` when it cannot answer yet. */
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
  /** The offscreen document answered the last attempt. */
  let up = false;
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
          if (!up) await deps.ensureOffscreen();
          const a = await deps.ask(text, conversationId).catch(() => undefined);
          up = a?.ok === true;
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
