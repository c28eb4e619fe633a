/**
 * The messages the console script reads itself: `insert-hint` from the background and the two
 * answers on its `presend` port. Members of the message contract (lib/messages.ts), in a module of
 * their own: the console script runs in every console page and validates these without loading
 * the whole contract and the schemas it is built from as the page loads.
 */
import { z } from 'zod';
import { DraftHit } from './adapters/presend';

// Each schema is built on its first parse (`z.lazy`, see lib/finding.ts): this module loads with
// the console script in every console page.

/**
 * Put a script hint into the console's compose box. The side panel sends it to the background with
 * the console's tab; the background forwards the same message to that tab's content script, which
 * answers `InsertHintReply`. The agent still reviews and sends: nothing is sent for them.
 */
export const InsertHint = z.lazy(() =>
  z.object({
    type: z.literal('insert-hint'),
    tabId: z.number().int().nonnegative(),
    conversationId: z.string().min(1).max(200),
    /** Script entry or rule id the text came from, for feedback on hints. */
    hintId: z.string().min(1).max(200),
    text: z.string().min(1).max(5000),
    /** `replace` the draft (default) or `append` to it. */
    mode: z.enum(['replace', 'append']).default('replace'),
  }),
);
export type InsertHint = z.infer<typeof InsertHint>;

/** The content script's answer to `insert-hint`; `reason` in words the agent can act on. */
export const InsertHintReply = z.lazy(() =>
  z.object({
    ok: z.boolean(),
    inserted: z.boolean().optional(),
    reason: z.string().max(500).optional(),
  }),
);
export type InsertHintReply = z.infer<typeof InsertHintReply>;

/**
 * The service worker took the console script's `presend` port (sent first on it), or refused it
 * with the reason; until it says so, checks go the background's way.
 */
export const PresendReady = z.lazy(() =>
  z.object({
    type: z.literal('presend-ready'),
    ok: z.boolean(),
    reason: z.string().max(500).optional(),
  }),
);

/** The answer on the `presend` port (lib/adapters/presend-client.ts), from the service worker. */
export const DraftChecked = z.lazy(() =>
  z.object({
    type: z.literal('draft-checked'),
    id: z.number().int().nonnegative(),
    ok: z.boolean(),
    /** Which way it was answered: on the console script's long-lived port. */
    via: z.literal('port'),
    hits: z.array(DraftHit).max(50).optional(),
    reason: z.string().max(500).optional(),
  }),
);
export type DraftChecked = z.infer<typeof DraftChecked>;

/** What comes on the `presend` port, or undefined for anything else. */
export function parsePresendAnswer(raw: unknown): z.infer<typeof PresendReady> | DraftChecked | undefined {
  const type = (raw as { type?: unknown } | null)?.type;
  const r =
    type === 'presend-ready'
      ? PresendReady.safeParse(raw)
      : type === 'draft-checked'
        ? DraftChecked.safeParse(raw)
        : undefined;
  return r?.success ? r.data : undefined;
}
