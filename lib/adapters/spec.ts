/**
 * A console adapter is data: how to find the message log, tell the speaker, read the text and
 * know which conversation is on screen. One JSON file per console in `adapters/`.
 */
import { z } from 'zod';
import { Channel, Speaker } from '../labels';

/**
 * The schema, built on its first use: built at import it ran in every console page's first task
 * (zod builds each schema and every `.min()`/`.optional()` step as an object with its methods).
 */
function buildAdapterSpec() {
  /** A CSS selector; `>>>` steps into an open shadow root or a same-origin iframe (see path.ts). */
  const Selector = z.string().min(1).max(500);

  /** A regular expression source, checked to compile so a bad adapter fails at load, not on a page. */
  const Pattern = z
    .string()
    .min(1)
    .max(300)
    .refine(
      (s) => {
        try {
          new RegExp(s);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'not a valid regular expression' },
    );

  /** One way to recognise a speaker; the first rule that matches an item wins. */
  const SpeakerRule = z
    .object({
      speaker: Speaker,
      /** The item itself, or something inside it, matches this selector. */
      selector: Selector.optional(),
      /** The item (or `selector`'s match) has this attribute, optionally with this value or pattern. */
      attribute: z
        .object({ name: z.string().min(1), equals: z.string().optional(), matches: Pattern.optional() })
        .optional(),
      /** The item's text starts with this prefix (stripped from the text), e.g. "Customer:". */
      textPrefix: z.string().min(1).optional(),
      /**
       * Which side the bubble sits on: the item (or `selector`'s match) is centred left or right of
       * its row (the item itself when `selector` is given, else the item's parent). For desks that
       * mark speakers only by layout.
       */
      align: z.enum(['left', 'right']).optional(),
      /** An avatar inside the item whose attribute (src by default) matches a pattern. */
      avatar: z
        .object({
          selector: Selector.default('img'),
          attribute: z.string().min(1).default('src'),
          matches: Pattern,
        })
        .optional(),
    })
    .refine((r) => r.selector || r.attribute || r.textPrefix || r.align || r.avatar, {
      message: 'a speaker rule needs selector, attribute, textPrefix, align or avatar',
    });

  const ConversationId = z.discriminatedUnion('from', [
    /**
     * An attribute on an element, e.g. the selected item in the conversation list
     * (`.conv[aria-selected="true"]`, `.conv.active`) or the message log itself. `pattern`'s
     * first capture group narrows the value (an id inside an href).
     */
    z.object({
      from: z.literal('attribute'),
      selector: Selector,
      attribute: z.string().min(1),
      pattern: Pattern.optional(),
    }),
    /** A capture group of a regular expression over `location.href` (path, query or hash). */
    z.object({ from: z.literal('url'), pattern: Pattern }),
    /** The text of an element, e.g. a conversation header; `pattern` narrows it as above. */
    z.object({ from: z.literal('text'), selector: Selector, pattern: Pattern.optional() }),
  ]);

  return z.object({
    $schema: z.string().optional(),
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/),
    name: z.string().min(1),
    version: z.number().int().positive(),
    /** Chrome match patterns (`https://desk.example.com/*`). */
    matches: z.array(z.string().min(1)).min(1),
    channel: Channel.default('chat'),
    log: z.object({
      /** The element that holds the message items. */
      root: Selector,
      /** Each message, relative to `root`. */
      item: Selector,
    }),
    speaker: z.object({ rules: z.array(SpeakerRule).min(1), default: Speaker.optional() }),
    text: z
      .object({
        /** Where the message text is inside an item; the whole item when absent. */
        selector: Selector.optional(),
        /** Parts to leave out: timestamps, read receipts, buttons, quoted replies. */
        ignore: z.array(Selector).default([]),
      })
      .default({ ignore: [] }),
    /** A stable per-message id on the item; without it, the item's position is its key. */
    messageKey: z.object({ attribute: z.string().min(1) }).optional(),
    conversation: ConversationId,
    compose: z
      .object({
        input: Selector,
        send: Selector.optional(),
        /** Enter (without Shift) sends; false for desks that send on Ctrl/Cmd+Enter only. */
        enterSends: z.boolean().default(true),
      })
      .optional(),
  });
}

let built: ReturnType<typeof buildAdapterSpec> | undefined;

/** The adapter schema: `schema()` builds it once; `parse`/`safeParse` as zod's. */
export const AdapterSpec = {
  schema: () => (built ??= buildAdapterSpec()),
  parse: (raw: unknown) => AdapterSpec.schema().parse(raw),
  safeParse: (raw: unknown) => AdapterSpec.schema().safeParse(raw),
};
export type AdapterSpec = z.infer<ReturnType<typeof buildAdapterSpec>>;
export type AdapterSpecInput = z.input<ReturnType<typeof buildAdapterSpec>>;

/** Every problem of an adapter file, with its JSON path. */
export function parseAdapter(
  raw: unknown,
): { ok: true; spec: AdapterSpec } | { ok: false; errors: string[] } {
  const r = AdapterSpec.safeParse(raw);
  if (r.success) return { ok: true, spec: r.data };
  return { ok: false, errors: r.error.issues.map((i) => `$.${i.path.join('.')}: ${i.message}`) };
}

/** Chrome match pattern → RegExp (scheme `*` means http or https; host `*.x` matches subdomains). */
export function matchPatternToRegExp(pattern: string): RegExp {
  if (pattern === '<all_urls>') return /^(https?|file):\/\//;
  const m = /^(\*|https?|file):\/\/([^/]*)(\/.*)$/.exec(pattern);
  if (!m) throw new Error(`not a match pattern: ${pattern}`);
  const [, scheme, host, path] = m as unknown as [string, string, string, string];
  const esc = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const schemeRe = scheme === '*' ? 'https?' : esc(scheme);
  let hostRe = '';
  if (host === '*') hostRe = '[^/]*';
  else if (host.startsWith('*.')) hostRe = `(?:[^/]*\\.)?${esc(host.slice(2))}`;
  else hostRe = esc(host);
  // Chrome ignores the port unless given; allow any port when the pattern has none.
  if (host !== '*' && !host.includes(':')) hostRe += '(?::\\d+)?';
  const pathRe = path.split('*').map(esc).join('.*');
  return new RegExp(`^${schemeRe}://${hostRe}${pathRe}$`);
}

export function adapterMatchesUrl(spec: AdapterSpec, url: string): boolean {
  return spec.matches.some((p) => matchPatternToRegExp(p).test(url));
}
