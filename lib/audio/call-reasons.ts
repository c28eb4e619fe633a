/**
 * Why a side of a call (or the whole call) is not live, as a code the side panel translates
 * (`callReason_<code>` in public/_locales), plus the pure state machine that turns what the
 * capture saw (a getUserMedia error, a track's `ended`, frames of digital silence) into a side's
 * status. Codes, not sentences: the offscreen document and the tap frame have no UI language,
 * the panel does. A raw error text, when there is one, travels beside the code as `detail`.
 */
import { z } from 'zod';
import type { CallChannel } from './call-metrics';
import type { ChannelStatus } from './call-state';

export const CALL_REASONS = [
  // microphone (agent side)
  'micDenied',
  'micMissing',
  'micFailed',
  'micGone',
  'micSilent',
  // tab (customer side)
  'tabNotInvoked',
  'tabUnsupported',
  'tabFailed',
  'tabNotRequested',
  'tabGone',
  'tabSilent',
  // the console's own WebRTC tracks (call tap)
  'tapNoMic',
  'tapNoCustomer',
  'tapNoAnswer',
  'tapNoAudio',
  'tapRefused',
  // the whole call
  'nothingToCapture',
  'audioFailed',
  'policyOff',
  'notAvailable',
  'noAnswer',
  // speech recognition server
  'asrUnreachable',
  'asrClosed',
] as const;
export const CallReason = z.enum(CALL_REASONS);
export type CallReason = z.infer<typeof CallReason>;

export interface SideStatus {
  status: ChannelStatus;
  reasonKey?: CallReason;
  /** A technical error text (English, from the browser), shown small beside the translated reason. */
  detail?: string;
}

/** A side that has produced only digital silence this long is reported as silent. */
export const SILENT_AFTER_MS = 4000;
/** A frame at or below this level is digital silence (no source playing). */
export const SILENCE_DBFS = -90;

/** The microphone's getUserMedia failure, by DOMException name. */
export function micError(name: string, message = ''): SideStatus {
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return { status: 'no-permission', reasonKey: 'micDenied' };
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return { status: 'unavailable', reasonKey: 'micMissing' };
  return { status: 'unavailable', reasonKey: 'micFailed', ...detail(name, message) };
}

/** The tab's getUserMedia failure (the stream id was good, the capture was not). */
export function tabError(name: string, message = ''): SideStatus {
  return { status: 'unavailable', reasonKey: 'tabFailed', ...detail(name, message) };
}

/** No tab stream id: why, from tabCapture.getMediaStreamId's error (or its absence). */
export function tabStreamError(message: string | undefined): { reasonKey: CallReason; detail?: string } {
  if (message === undefined) return { reasonKey: 'tabUnsupported' };
  // Chrome allows it only after the extension was invoked on that tab.
  if (/not been invoked/i.test(message)) return { reasonKey: 'tabNotInvoked' };
  return { reasonKey: 'tabFailed', detail: message.slice(0, 200) };
}

/** A live track fired `ended`: unplugged headset, revoked permission, closed or muted tab. */
export function sideEnded(ch: CallChannel): SideStatus {
  return { status: 'ended', reasonKey: ch === 'agent' ? 'micGone' : 'tabGone' };
}

/**
 * The call tap's view of a side: the console's call has live tracks for it or not (yet). A side
 * that had them and lost them (`was` carried) has ended: an unplugged headset, a dropped leg.
 */
export function tapSide(ch: CallChannel, tracks: number, was?: SideStatus): SideStatus {
  if (tracks > 0) return { status: 'live' };
  if (was && carries(was)) return sideEnded(ch);
  return { status: 'unavailable', reasonKey: ch === 'agent' ? 'tapNoMic' : 'tapNoCustomer' };
}

/** Whether a side feeds the analysis (a silent source still does: silence is a measurement). */
export function carries(s: SideStatus): boolean {
  return s.status === 'live' || s.status === 'silent';
}

/**
 * What the panel is told about a side: its capture status, turned `silent` when a live source has
 * shown nothing but digital silence for SILENT_AFTER_MS of call audio (a tab with no audio, a
 * muted or dead microphone), and back to live at its first sound.
 */
export function reportedSide(
  ch: CallChannel,
  s: SideStatus,
  heard: boolean,
  processedMs: number,
): SideStatus {
  if (s.status === 'live' && !heard && processedMs > SILENT_AFTER_MS)
    return { status: 'silent', reasonKey: ch === 'agent' ? 'micSilent' : 'tabSilent' };
  return s;
}

/** A failure reason as it crosses the router (a string): the code, then `: detail` if any. */
export function reasonText(key: CallReason, d?: string): string {
  return d ? `${key}: ${d}` : key;
}

/** Reads `reasonText` back; an unknown text keeps its words as the detail. */
export function parseReason(text: string | undefined): { reasonKey?: CallReason; detail?: string } {
  if (!text) return {};
  const at = text.indexOf(': ');
  const head = at < 0 ? text : text.slice(0, at);
  const key = CallReason.safeParse(head);
  if (!key.success) return { detail: text };
  return at < 0 ? { reasonKey: key.data } : { reasonKey: key.data, detail: text.slice(at + 2) };
}

function detail(name: string, message: string): { detail?: string } {
  const d = [name, message].filter(Boolean).join(': ').slice(0, 200);
  return d ? { detail: d } : {};
}
