/** Per-team alert policy: what is worth a lead's attention, and when not to ping anyone. */
import { z } from 'zod';
import { Severity } from '../../lib/finding';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);

export const TeamSettings = z.object({
  /** Findings below this severity are stored and scored but never pushed. */
  alertMinSeverity: Severity.default('warning'),
  /** Same customer again within this many days alerts the lead; 0 turns it off. */
  repeatContactDays: z.number().int().min(0).max(90).default(7),
  /** In quiet hours alerts still reach the list, without desktop notifications or webhooks. */
  quietHours: z
    .object({
      start: HHMM,
      end: HHMM,
      timeZone: z.string().min(1).max(64).default('Asia/Shanghai'),
      /** Critical and auto-fail findings still go out during quiet hours. */
      allowCritical: z.boolean().default(true),
    })
    .optional(),
});
export type TeamSettings = z.infer<typeof TeamSettings>;

export function parseSettings(raw: unknown): TeamSettings {
  const r = TeamSettings.safeParse(raw ?? {});
  return r.success ? r.data : TeamSettings.parse({});
}

const RANK: Record<Severity, number> = { info: 0, hint: 1, warning: 2, critical: 3, 'auto-fail': 4 };

export function atLeast(severity: Severity, min: Severity): boolean {
  return RANK[severity] >= RANK[min];
}

export function isCritical(severity: Severity): boolean {
  return RANK[severity] >= RANK.critical;
}

function minutesIn(timeZone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const h = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const m = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return h * 60 + m;
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** Whether `at` falls in the team's quiet hours; windows may wrap midnight (22:00–07:00). */
export function inQuietHours(settings: TeamSettings, at: number): boolean {
  const q = settings.quietHours;
  if (!q) return false;
  let now: number;
  try {
    now = minutesIn(q.timeZone, at);
  } catch {
    now = minutesIn('UTC', at); // unknown zone names fall back rather than silence everything
  }
  const start = toMinutes(q.start);
  const end = toMinutes(q.end);
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/** Whether an alert should ping people now (desktop notification, webhooks). */
export function shouldNotify(settings: TeamSettings, severity: Severity, at: number): boolean {
  if (!inQuietHours(settings, at)) return true;
  return settings.quietHours?.allowCritical === true && isCritical(severity);
}
