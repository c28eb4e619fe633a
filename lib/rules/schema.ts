/**
 * Rulebook format (issue 4). Rules are data: a rulebook is versioned JSON validated by these zod
 * schemas, which also emit `schema/rulebook.schema.json` for editors (`npm run schema`).
 * `rulebooks/README.md` walks through a commented example.
 */
import { z } from 'zod';
import { Severity } from '../finding';
import { Channel, Emotion, Intent } from '../labels';

export { Severity };

/** Every user-visible string ships in the three UI languages. */
export const LocalizedText = z
  .object({
    zh_CN: z.string().min(1).max(2000),
    zh_TW: z.string().min(1).max(2000),
    en: z.string().min(1).max(2000),
  })
  .strict()
  .meta({ id: 'LocalizedText' });
export type LocalizedText = z.infer<typeof LocalizedText>;

export const CATEGORIES = [
  'forbidden',
  'must-say',
  'script-step',
  'customer-risk',
  'service-quality',
  'hint',
] as const;
export const Category = z.enum(CATEGORIES);
export type Category = z.infer<typeof Category>;

/** Whose turns a condition looks at; `any` means every speaker including system lines. */
export const SpeakerScope = z.enum(['agent', 'customer', 'any']);
export type SpeakerScope = z.infer<typeof SpeakerScope>;

export const Scope = z
  .object({
    speaker: SpeakerScope.default('any'),
    channel: z.enum(['chat', 'voice', 'any']).default('any'),
  })
  .strict();
export type Scope = z.infer<typeof Scope>;

/** A phrase, or a phrase with its own spelled-out variants and homophone matching. */
export const PhraseEntry = z.union([
  z.string().min(1).max(200),
  z
    .object({
      text: z.string().min(1).max(200),
      variants: z.array(z.string().min(1).max(200)).max(50).optional(),
      /** Also match same-sounding characters and the pinyin spelling ("报本", "baoben" for 保本). */
      homophones: z.boolean().optional(),
    })
    .strict(),
]);
export type PhraseEntry = z.infer<typeof PhraseEntry>;
const PhraseList = z.array(PhraseEntry).min(1).max(5000);

/** Turn/time window measured from the start of the conversation. */
export const WindowSpec = z
  .object({
    firstSeconds: z.number().positive().max(86_400).optional(),
    firstTurns: z.number().int().positive().max(10_000).optional(),
    /** Whose turns `firstTurns` counts; default any speaker. */
    turnsOf: SpeakerScope.optional(),
  })
  .strict();

/** Window that opens after a trigger: N turns of a speaker and/or S seconds. */
export const AfterWindow = z
  .object({
    turns: z.number().int().positive().max(10_000).optional(),
    turnsOf: SpeakerScope.optional(),
    seconds: z.number().positive().max(86_400).optional(),
  })
  .strict();

/** Metric names the audio worker reports (lib/audio/rule-metrics.ts); any identifier is accepted. */
export const METRIC_NAMES = [
  'silenceMs',
  'overtalkMs',
  'speechRateCpm',
  'speechRateWpm',
  /** Pace over the speaker's last 20 s of speech while they talk (lib/audio/call-rules.ts). */
  'speechRateSps',
  'loudnessDb',
  'talkRatio',
  'interruptions',
] as const;

export type Condition =
  | { type: 'all'; conditions: Condition[] }
  | { type: 'any'; conditions: Condition[] }
  | { type: 'not'; condition: Condition }
  | {
      type: 'phrase';
      phrases: PhraseEntry[];
      speaker?: SpeakerScope | undefined;
      negationAware?: boolean | undefined;
      negationWindow?: number | undefined;
      homophones?: boolean | undefined;
    }
  | {
      type: 'near';
      a: PhraseEntry[];
      b: PhraseEntry[];
      within: number;
      unit?: 'chars' | 'words' | undefined;
      ordered?: boolean | undefined;
      speaker?: SpeakerScope | undefined;
    }
  | { type: 'regex'; pattern: string; flags?: string | undefined; speaker?: SpeakerScope | undefined }
  | {
      type: 'emotion';
      label: Emotion | Emotion[];
      minProb?: number | undefined;
      speaker?: SpeakerScope | undefined;
    }
  | {
      type: 'intent';
      label: Intent | Intent[];
      minProb?: number | undefined;
      speaker?: SpeakerScope | undefined;
    }
  | {
      type: 'metric';
      metric: string;
      op: '>' | '>=' | '<' | '<=';
      value: number;
      speaker?: SpeakerScope | undefined;
    }
  | {
      type: 'window';
      condition: Condition;
      firstSeconds?: number;
      firstTurns?: number;
      turnsOf?: SpeakerScope;
    }
  | { type: 'seen'; condition: Condition; strict?: boolean | undefined }
  | { type: 'absent'; condition: Condition }
  | { type: 'order'; steps: Condition[] }
  | { type: 'after'; trigger: Condition; expect: Condition; within?: z.infer<typeof AfterWindow> | undefined }
  | {
      type: 'missingAfter';
      trigger: Condition;
      expect: Condition;
      within?: z.infer<typeof AfterWindow> | undefined;
    }
  | {
      type: 'count';
      condition: Condition;
      atLeast: number;
      withinTurns?: number | undefined;
      withinSeconds?: number | undefined;
    }
  | { type: 'streak'; condition: Condition; length: number; speaker: SpeakerScope };

const speaker = SpeakerScope.optional().describe("Whose turns to look at; defaults to the rule's scope.");
const labelOrList = <T extends z.ZodTypeAny>(t: T) => z.union([t, z.array(t).min(1)]);

/** The condition tree. Every node is an event evaluated after each turn (and once at the end). */
export const Condition: z.ZodType<Condition> = z
  .lazy(() =>
    z.discriminatedUnion('type', [
      z
        .object({ type: z.literal('all'), conditions: z.array(Condition).min(1).max(50) })
        .strict()
        .describe('Holds when every child holds on the same turn.'),
      z
        .object({ type: z.literal('any'), conditions: z.array(Condition).min(1).max(50) })
        .strict()
        .describe('Holds when at least one child holds.'),
      z
        .object({ type: z.literal('not'), condition: Condition })
        .strict()
        .describe('Holds on a turn where the child does not; never at the end of the conversation.'),
      z
        .object({
          type: z.literal('phrase'),
          phrases: PhraseList,
          speaker,
          negationAware: z
            .boolean()
            .optional()
            .describe('Ignore occurrences negated just before ("不保本", "not guaranteed").'),
          negationWindow: z
            .number()
            .int()
            .min(1)
            .max(20)
            .optional()
            .describe('How far back a negator reaches: characters for Chinese (6), words for English (3).'),
          homophones: z.boolean().optional(),
        })
        .strict()
        .describe('Any of the phrases, matched after normalisation (case, width, Traditional, evasion).'),
      z
        .object({
          type: z.literal('near'),
          a: PhraseList,
          b: PhraseList,
          within: z.number().int().min(0).max(500),
          unit: z.enum(['chars', 'words']).optional(),
          ordered: z.boolean().optional(),
          speaker,
        })
        .strict()
        .describe('A phrase from `a` within `within` chars/words of a phrase from `b` on one turn.'),
      z
        .object({
          type: z.literal('regex'),
          pattern: z.string().min(1).max(500),
          flags: z
            .string()
            .regex(/^[iu]*$/)
            .optional(),
          speaker,
        })
        .strict()
        .describe('Bounded regular expression on the normalised text: no *, + or {n,}, no nesting.'),
      z
        .object({
          type: z.literal('emotion'),
          label: labelOrList(Emotion),
          minProb: z.number().min(0).max(1).optional(),
          speaker,
        })
        .strict()
        .describe("The emotion model's label for the turn (and its probability, if minProb is set)."),
      z
        .object({
          type: z.literal('intent'),
          label: labelOrList(Intent),
          minProb: z.number().min(0).max(1).optional(),
          speaker,
        })
        .strict()
        .describe("The intent model's label for the turn."),
      z
        .object({
          type: z.literal('metric'),
          metric: z
            .string()
            .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/)
            .describe(`Audio metric by name, e.g. ${METRIC_NAMES.join(', ')}.`),
          op: z.enum(['>', '>=', '<', '<=']),
          value: z.number(),
          speaker,
        })
        .strict(),
      z
        .object({ type: z.literal('window'), condition: Condition })
        .extend(WindowSpec.shape)
        .strict()
        .describe('The child, only on turns inside the opening window (first N seconds / turns).'),
      z
        .object({ type: z.literal('seen'), condition: Condition, strict: z.boolean().optional() })
        .strict()
        .describe('True from the turn the child first held (strict: from the next turn) onwards.'),
      z
        .object({ type: z.literal('absent'), condition: Condition })
        .strict()
        .describe('Fires once when the child never held: when its window closes, else at the end.'),
      z
        .object({ type: z.literal('order'), steps: z.array(Condition).min(2).max(20) })
        .strict()
        .describe('Fires on the turn the last step holds after all earlier steps held in order.'),
      z
        .object({
          type: z.literal('after'),
          trigger: Condition,
          expect: Condition,
          within: AfterWindow.optional(),
        })
        .strict()
        .describe('`expect` holds within the window after `trigger`.'),
      z
        .object({
          type: z.literal('missingAfter'),
          trigger: Condition,
          expect: Condition,
          within: AfterWindow.optional(),
        })
        .strict()
        .describe(
          'Fires when the window after `trigger` closes (or the conversation ends) without `expect`.',
        ),
      z
        .object({
          type: z.literal('count'),
          condition: Condition,
          atLeast: z.number().int().min(1).max(1000),
          withinTurns: z.number().int().positive().max(10_000).optional(),
          withinSeconds: z.number().positive().max(86_400).optional(),
        })
        .strict()
        .describe('The child held on at least `atLeast` turns (optionally within the last turns/seconds).'),
      z
        .object({
          type: z.literal('streak'),
          condition: Condition,
          length: z.number().int().min(2).max(100),
          speaker: SpeakerScope,
        })
        .strict()
        .describe(
          "The child held on `length` consecutive turns of `speaker`; other speakers' turns don't break it.",
        ),
    ]),
  )
  .meta({ id: 'Condition' });

export const Actions = z
  .object({
    hint: z
      .object({
        text: LocalizedText.describe(
          'Shown to the agent; {match}, {customerName}, {agentName} are filled in.',
        ),
        insertable: z.boolean().optional().describe('Offer one-click insertion into the compose box.'),
      })
      .strict()
      .optional(),
    warning: z.object({ text: LocalizedText }).strict().optional(),
    escalate: z
      .object({
        to: z.literal('lead').default('lead'),
        selfCorrectSeconds: z
          .number()
          .min(0)
          .max(3600)
          .default(0)
          .describe('Grace period for the agent to fix it before the lead is alerted.'),
      })
      .strict()
      .optional(),
    score: z
      .object({
        dimension: z.string().min(1).max(100),
        points: z.number().min(-1000).max(1000),
      })
      .strict()
      .optional(),
  })
  .strict();
export type Actions = z.infer<typeof Actions>;

export const ExampleTurn = z
  .object({
    speaker: z.enum(['agent', 'customer', 'system']),
    text: z.string().max(10_000),
    emotion: Emotion.optional(),
    intent: Intent.optional(),
    /** Seconds since the start of the conversation; defaults to 5 s per turn. */
    t: z.number().min(0).optional(),
    channel: Channel.optional(),
    metrics: z.record(z.string(), z.number()).optional(),
  })
  .strict();
export type ExampleTurn = z.infer<typeof ExampleTurn>;
export const Example = z.array(ExampleTurn).min(1).max(200);
export type Example = z.infer<typeof Example>;

export const PresendMode = z.enum(['block', 'warn', 'off']);
export type PresendMode = z.infer<typeof PresendMode>;

// The pre-send mode a rule runs with: with the pre-send data (lib/adapters/presend.ts), which the
// console script loads without this schema.
export { presendModeOf } from '../adapters/presend';

export const RULE_ID_RE = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export const Rule = z
  .object({
    id: z.string().regex(RULE_ID_RE, 'lowercase letters, digits, ".", "_" or "-"'),
    enabled: z.boolean().default(true),
    name: LocalizedText,
    description: LocalizedText,
    category: Category,
    severity: Severity,
    scope: Scope.default({ speaker: 'any', channel: 'any' }),
    when: Condition,
    /** Fire at most once per conversation (otherwise once per distinct evidence). */
    once: z.boolean().optional(),
    actions: Actions.default({}),
    /**
     * What the compose box does when an agent's draft would fire this rule: `block` stops the send
     * once with the inline warning and a rewrite, `warn` shows the warning and lets the send go,
     * `off` leaves drafts alone. Unset: `off` for customer or voice rules, else `block` for critical
     * and auto-fail rules, else `warn`.
     */
    presend: PresendMode.optional().describe(
      'Pre-send check of drafts: block (stop the send once), warn (show only) or off. Default: off for customer or voice rules, else block for critical and auto-fail, warn otherwise.',
    ),
    examples: z
      .object({ fire: z.array(Example).min(1).max(50), noFire: z.array(Example).min(1).max(50) })
      .strict()
      .describe('Conversations this rule must fire on and must not fire on; run by the rulebook tests.'),
  })
  .strict()
  .meta({ id: 'Rule' });
export type Rule = z.infer<typeof Rule>;
export type RuleInput = z.input<typeof Rule>;

export const Rulebook = z
  .object({
    $schema: z.string().optional(),
    schemaVersion: z.literal(1),
    id: z.string().regex(RULE_ID_RE),
    /** Monotonic version of this rulebook, shown in findings and shadow-test diffs. */
    version: z.string().min(1).max(50),
    name: LocalizedText,
    description: LocalizedText.optional(),
    rules: z.array(Rule).max(5000),
  })
  .strict()
  .meta({ id: 'Rulebook' });
export type Rulebook = z.infer<typeof Rulebook>;
export type RulebookInput = z.input<typeof Rulebook>;

/** JSON Schema for editors; `npm run schema` writes it to schema/rulebook.schema.json. */
export function rulebookJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(Rulebook, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
