/**
 * The script library (issue 8): reply suggestions and must-say checklist items, as data. Teams
 * ship their own library the same way as a rulebook (a versioned JSON document per team); the
 * extension bundles `scripts/library/*.json` as the default.
 */
import { z } from 'zod';
import { Localized } from '../finding';
import { Emotion, Intent } from '../labels';

export const SCRIPT_ID_RE = /^[a-z0-9][a-z0-9._-]{0,99}$/;

/** When a script is a good suggestion. Every field given must hold (they are ANDed). */
export const ScriptWhen = z
  .object({
    /** The customer's current intent is one of these. */
    intents: z.array(Intent).min(1).optional(),
    /** A finding of one of these rules is active in the conversation. */
    rules: z.array(z.string().min(1).max(200)).min(1).optional(),
    /** The customer's latest emotion is one of these. */
    emotions: z.array(Emotion).min(1).optional(),
  })
  .strict()
  .refine((w) => w.intents || w.rules || w.emotions, {
    message: 'give at least one of intents, rules, emotions',
  });

export const ScriptEntry = z
  .object({
    id: z.string().regex(SCRIPT_ID_RE),
    title: Localized,
    /** Reply text; `{customerName}` and `{orderId}` are filled from the conversation when known. */
    text: Localized,
    when: ScriptWhen,
    /** Higher first among equally specific matches. */
    priority: z.number().int().min(0).max(100).default(50),
    /** False for guidance the agent should not paste verbatim. */
    insertable: z.boolean().default(true),
  })
  .strict();
export type ScriptEntry = z.infer<typeof ScriptEntry>;

/**
 * Something the agent must say in a conversation, ticked when one of `phrases` appears in an agent
 * turn (matched on normalised text, so Traditional, full-width and case variants count).
 */
export const ChecklistItem = z
  .object({
    id: z.string().regex(SCRIPT_ID_RE),
    label: Localized,
    phrases: z.array(z.string().min(1).max(200)).min(1).max(200),
    /** Only from the turn where this holds on (absent: from the start of the conversation). */
    appliesWhen: z
      .object({
        intents: z.array(Intent).min(1).optional(),
        /** Any speaker said one of these. */
        phrases: z.array(z.string().min(1).max(200)).min(1).optional(),
      })
      .strict()
      .optional(),
    /** Deadline counted from when the item applies: agent replies and/or seconds. */
    due: z
      .object({
        agentTurns: z.number().int().positive().max(1000).optional(),
        seconds: z.number().positive().max(86_400).optional(),
      })
      .strict()
      .default({}),
    /** The must-say rule that checks the same thing: its finding marks the item missed. */
    ruleId: z.string().min(1).max(200).optional(),
  })
  .strict();
export type ChecklistItem = z.infer<typeof ChecklistItem>;

export const ScriptLibrary = z
  .object({
    $schema: z.string().optional(),
    schemaVersion: z.literal(1),
    id: z.string().regex(SCRIPT_ID_RE),
    version: z.string().min(1).max(50),
    scripts: z.array(ScriptEntry).max(2000).default([]),
    checklist: z.array(ChecklistItem).max(200).default([]),
  })
  .strict()
  .superRefine((lib, ctx) => {
    const seen = new Set<string>();
    for (const [i, s] of [...lib.scripts, ...lib.checklist].entries()) {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['id', i], message: `duplicate id ${s.id}` });
      seen.add(s.id);
    }
  });
export type ScriptLibrary = z.infer<typeof ScriptLibrary>;

/** UI languages: the keys of every localized text. */
export type UiLang = keyof Localized;

/** Merges several libraries (shipped + team) into one list; later ids replace earlier ones. */
export function mergeLibraries(libs: readonly ScriptLibrary[]): Pick<ScriptLibrary, 'scripts' | 'checklist'> {
  const scripts = new Map<string, ScriptEntry>();
  const checklist = new Map<string, ChecklistItem>();
  for (const l of libs) {
    for (const s of l.scripts) scripts.set(s.id, s);
    for (const c of l.checklist) checklist.set(c.id, c);
  }
  return { scripts: [...scripts.values()], checklist: [...checklist.values()] };
}
