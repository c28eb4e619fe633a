/**
 * The one message contract between content script, background, offscreen document and side
 * panel. Every receiver parses with `parseMessage` and checks the sender with `senderKind`.
 */
import { z } from 'zod';
import { DraftHit } from './adapters/presend';
import { Analysis } from './analysis/types';
import { AsrConfig } from './asr/config';
import { CallReason } from './audio/call-reasons';
import { CallEventRecord, CallState } from './audio/call-state';
import { CallTapMessage } from './call-tap-message';
import { DraftChecked, InsertHint, InsertHintReply, PresendReady } from './console-messages';
import { Finding } from './finding';
import { DocumentChange } from './sync/protocol';
import { MAX_BATCH, Utterance } from './utterance';

export { MAX_BATCH };

const AttachState = z.object({
  adapterId: z.string().max(100),
  url: z.string().max(2000),
  attached: z.boolean(),
  /** Why not attached, in words a user can act on (e.g. the selector that matched nothing). */
  reason: z.string().max(500).optional(),
  activeConversationId: z.string().max(200).optional(),
});
export type AttachState = z.infer<typeof AttachState>;

/** Keyboard commands the side panel handles; the manifest declares them with the same names. */
export const PanelCommand = z.enum(['insert-top-hint', 'next-warning', 'acknowledge']);
export type PanelCommand = z.infer<typeof PanelCommand>;

// Put a script hint into the console's compose box, and the console script's answer
// (lib/console-messages.ts, with the `presend` port's answers).
export { InsertHint, InsertHintReply };

/**
 * Built on first use, not when a script loads this module: the contract is about sixty schemas,
 * and building them all ran in every console page's first task (the console scripts import this
 * module for a few constants and schemas of their own).
 */
const buildMessage = () =>
  z.discriminatedUnion('type', [
    // content script → background
    z.object({ type: z.literal('utterances'), utterances: z.array(Utterance).min(1).max(MAX_BATCH) }),
    z.object({ type: z.literal('attach-state'), state: AttachState }),
    // background → content script, on its 'console' port: the answer to the 'utterances' posted
    // there, in order (a port message costs the console's main thread far less than sendMessage);
    // `count`: how many of the oldest unanswered it answers at once (1 when absent)
    z.object({
      type: z.literal('utterances-ack'),
      ok: z.boolean(),
      reason: z.string().max(500).optional(),
      count: z.number().int().min(1).max(10_000).optional(),
    }),
    // background → offscreen document
    z.object({
      type: z.literal('analyse'),
      target: z.literal('offscreen'),
      utterances: z.array(Utterance).max(MAX_BATCH),
    }),
    z.object({
      type: z.literal('offscreen-ready'),
      coldStartMs: z.number().nonnegative(),
      models: z.array(z.string()),
      /** `id@version` of each rulebook the worker compiled, for the side panel's status line. */
      rulebooks: z.array(z.string().max(200)).max(50).optional(),
      /** What the worker could not set up (a model refused, a team model manifest kept out), for the log. */
      errors: z.array(z.string().max(500)).max(20).optional(),
    }),
    /**
     * Swap the analysis worker's rulebooks (background → offscreen): the enrolled team's published
     * rulebooks, or none to go back to the shipped ones. Replies `{ok, applied, versions, errors}`.
     */
    z.object({
      type: z.literal('rulebooks-update'),
      target: z.literal('offscreen'),
      rulebooks: z.array(z.unknown()).max(50).optional(),
    }),
    /**
     * Re-boot the analysis worker's models from the enrolled team's model manifest (background →
     * offscreen), or from the shipped one when none is given. Replies `{ok, applied, models, errors}`
     * once the new models run or the previous ones were kept.
     */
    z.object({
      type: z.literal('models-update'),
      target: z.literal('offscreen-models'),
      manifest: z.unknown().optional(),
    }),
    /**
     * The endpoint and device token the offscreen document follows the document push with
     * (background → offscreen); none: stop following (not enrolled).
     */
    z.object({
      type: z.literal('document-push'),
      target: z.literal('offscreen-push'),
      endpoint: z.string().url().max(2000).optional(),
      token: z.string().min(1).max(500).optional(),
    }),
    // offscreen document → background
    z.object({ type: z.literal('analyses'), analyses: z.array(Analysis).max(MAX_BATCH) }),
    /** The offscreen document, starting, asks for the team's rulebooks (reply `{rulebooks?}`). */
    z.object({ type: z.literal('team-rulebooks') }),
    /** The offscreen document, starting, asks for the team's model manifest (reply `{manifest?}`). */
    z.object({ type: z.literal('team-models') }),
    /** The offscreen document, starting, asks what to follow the document push with (reply `{endpoint?, token?}`). */
    z.object({ type: z.literal('document-push-config') }),
    /**
     * The document push said these documents changed (offscreen → background): sent by the offscreen
     * document's follow, it wakes a stopped service worker, which checks them.
     */
    z.object({ type: z.literal('documents-changed'), changes: z.array(DocumentChange).min(1).max(30) }),
    // side panel → background (over the `panel` port)
    z.object({ type: z.literal('panel-hello'), since: z.number().nonnegative().optional() }),
    // background → side panel (over the `panel` port)
    z.object({
      type: z.literal('snapshot'),
      utterances: z.array(Utterance),
      analyses: z.array(Analysis),
      attach: z.array(AttachState.extend({ tabId: z.number().int() })),
    }),
    z.object({ type: z.literal('utterance-added'), utterance: Utterance }),
    z.object({ type: z.literal('analysis-added'), analysis: Analysis }),
    z.object({ type: z.literal('attach-changed'), state: AttachState.extend({ tabId: z.number().int() }) }),
    /** What the analysis side runs, for the status line; sent when the offscreen document is ready. */
    z.object({
      type: z.literal('pipeline-status'),
      models: z.array(z.string().max(200)).max(20),
      rulebooks: z.array(z.string().max(200)).max(50),
      coldStartMs: z.number().nonnegative(),
    }),
    /** Sync to the QA endpoint, for the status line (background → side panel). */
    z.object({
      type: z.literal('sync-state'),
      state: z.object({
        configured: z.boolean(),
        queued: z.number().int().nonnegative(),
        lastSuccessAt: z.number().optional(),
        lastError: z.string().max(500).optional(),
        needsEnrolment: z.boolean().optional(),
      }),
    }),
    /** Ask the background to sync now (side panel, options page, tests). */
    z.object({ type: z.literal('sync-now') }),
    /** A keyboard command (manifest `commands`) for the side panel to act on. */
    z.object({ type: z.literal('panel-command'), command: PanelCommand }),
    // side panel → background → content script of the console tab
    InsertHint,
    // pre-send check: content script → background (reply: {ok, hits}) → offscreen and back
    z.object({
      type: z.literal('draft-check'),
      conversationId: z.string().max(200).optional(),
      text: z.string().max(5000),
      /** On the console script's `presend` port to the offscreen document: matches the answer. */
      id: z.number().int().nonnegative().optional(),
    }),
    // The `presend` port's answers: taken or refused, then one per check (lib/console-messages.ts).
    PresendReady,
    DraftChecked,
    /**
     * The draft link (lib/adapters/draft-link.ts): a MessagePort from the service worker to the
     * analysis worker, one `link-check` per draft and one `link-checked` per check. The offscreen
     * document hands the service worker its end with `link` (ServiceWorker.postMessage) when its
     * worker has started, and again when the background asks with `link-request`.
     */
    z.object({ type: z.literal('link') }),
    z.object({ type: z.literal('link-request'), target: z.literal('offscreen') }),
    z.object({
      type: z.literal('link-check'),
      id: z.number().int().nonnegative(),
      conversationId: z.string().max(200).optional(),
      text: z.string().max(5000),
    }),
    z.object({
      type: z.literal('link-checked'),
      id: z.number().int().nonnegative(),
      ok: z.boolean(),
      hits: z.array(DraftHit).max(50).optional(),
      reason: z.string().max(500).optional(),
      /** The worker's own time for the check (bench:presend splits the round trip with it). */
      workerMs: z.number().nonnegative().optional(),
    }),
    z.object({
      type: z.literal('check-draft'),
      target: z.literal('offscreen'),
      conversationId: z.string().max(200).optional(),
      text: z.string().max(5000),
    }),
    /** The agent sent a draft despite a pre-send warning: recorded as a finding (content → background). */
    z.object({
      type: z.literal('presend-override'),
      finding: Finding,
      hits: z.array(DraftHit).max(20),
      /** The draft as sent, so the finding can wait for the turn it becomes (evidence, redaction). */
      draft: z.string().max(5000).optional(),
    }),
    // background → side panel
    z.object({ type: z.literal('presend-finding'), finding: Finding }),
    // Call monitoring (softphone audio). side panel → background: start from the agent's click on
    // "Monitor this call" (the tab must have been invoked: action click or shortcut), stop any time.
    z.object({
      type: z.literal('call-start'),
      tabId: z.number().int().nonnegative(),
      /** Capture the agent's microphone too (default); false monitors the customer side only. */
      mic: z.boolean().default(true),
    }),
    z.object({ type: z.literal('call-stop'), tabId: z.number().int().nonnegative() }),
    // background → offscreen document (its own target, so the analysis listener leaves it alone)
    z.object({
      type: z.literal('call-capture'),
      target: z.literal('offscreen-audio'),
      action: z.enum(['start', 'stop']),
      tabId: z.number().int().nonnegative(),
      conversationId: z.string().min(1).max(200).optional(),
      /** tabCapture stream id; absent when tab capture was refused (the mic side still runs). */
      streamId: z.string().max(500).optional(),
      /** Why there is no stream id, as a reason code the side panel translates. */
      streamError: z.object({ reasonKey: CallReason, detail: z.string().max(300).optional() }).optional(),
      mic: z.boolean().default(true),
      /** The speech server to stream the call's audio to; absent: no audio leaves the device. */
      asr: AsrConfig.optional(),
    }),
    // offscreen document → background → side panel: live state (about 4 per second) and events
    z.object({ type: z.literal('call-state'), state: CallState }),
    z.object({
      type: z.literal('call-event'),
      tabId: z.number().int(),
      conversationId: z.string().min(1).max(200),
      event: CallEventRecord,
    }),
    // background → the console tab's call-tap bridge (lib/call-tap-message.ts).
    CallTapMessage,
    // offscreen document or call-tap frame → background: the speech server's final results as
    // voice turns; analysed and shown like caption turns.
    z.object({
      type: z.literal('asr-utterances'),
      utterances: z
        .array(
          Utterance.refine((u) => u.channel === 'voice' && u.source === 'asr', {
            message: 'recognised turns are voice turns from asr',
          }),
        )
        .min(1)
        .max(MAX_BATCH),
    }),
    // offscreen document or call-tap frame → background → side panel: a rule on call metrics fired
    // (silence, over-talk, pace) while the call was going; shown like the other findings.
    z.object({ type: z.literal('call-finding'), finding: Finding }),
    // diagnostics (tests and the status line)
    z.object({ type: z.literal('ping') }),
  ]);
let messageSchema: ReturnType<typeof buildMessage> | undefined;
export type Message = z.infer<ReturnType<typeof buildMessage>>;
export type MessageOf<T extends Message['type']> = Extract<Message, { type: T }>;

export type ParseResult = { ok: true; message: Message } | { ok: false; reason: string };

/** Validate an incoming message; the reason names the first problems with their paths. */
export function parseMessage(raw: unknown): ParseResult {
  messageSchema ??= buildMessage();
  const r = messageSchema.safeParse(raw);
  if (r.success) return { ok: true, message: r.data };
  const reason = r.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  return { ok: false, reason };
}

export interface SenderInfo {
  id?: string;
  url?: string;
  tabId?: number;
  /** Chrome sets `origin` for content scripts; absent in Firefox. */
  origin?: string;
  /** The sending frame (0: the tab's top frame). */
  frameId?: number;
}

export type SenderKind = 'content' | 'extension-page' | 'foreign';

/**
 * Who sent a message: our own extension pages (offscreen, side panel, options), our content
 * script in a tab, or anyone else. Messages from other extensions or web pages are foreign.
 */
export function senderKind(sender: SenderInfo, extensionId: string, extensionOrigin: string): SenderKind {
  if (sender.id !== extensionId) return 'foreign';
  const url = sender.url ?? '';
  if (url.startsWith(extensionOrigin)) return 'extension-page';
  if (sender.tabId !== undefined && /^(https?|file):/.test(url)) return 'content';
  return 'foreign';
}

/** Which message types each kind of sender may send. Anything else is rejected and logged. */
export const ALLOWED: Record<Exclude<SenderKind, 'foreign'>, ReadonlySet<Message['type']>> = {
  content: new Set<Message['type']>([
    'utterances',
    'attach-state',
    'ping',
    'draft-check',
    'presend-override',
  ]),
  'extension-page': new Set<Message['type']>([
    'sync-now',
    'analyses',
    'team-rulebooks',
    'team-models',
    'document-push-config',
    'documents-changed',
    'offscreen-ready',
    'panel-hello',
    'ping',
    'analyse',
    'insert-hint',
    'call-start',
    'call-stop',
    'call-state',
    'call-event',
    'call-finding',
    'asr-utterances',
  ]),
};

export function isAllowed(kind: SenderKind, type: Message['type']): boolean {
  return kind !== 'foreign' && ALLOWED[kind].has(type);
}
