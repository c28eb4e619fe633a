/**
 * Where findings go and who this device is. Set by the options page, the demo, or enterprise
 * policy (storage.managed), which wins over local settings.
 */
import { z } from 'zod';
import { DeviceCredentials } from './protocol';

/** Features an organisation can turn on or off (`features` in public/managed_schema.json). */
export const FEATURES = ['presendCheck', 'callAudio', 'hints', 'leadMode'] as const;
export type Feature = (typeof FEATURES)[number];
export const Features = z.object(
  Object.fromEntries(FEATURES.map((f) => [f, z.boolean().optional()])) as Record<
    Feature,
    z.ZodOptional<z.ZodBoolean>
  >,
);

export const SYNC_MODES = ['findings-redacted', 'transcripts-redacted'] as const;

export const SyncSettings = z.object({
  /** Base URL of the QA endpoint; absent means findings stay on this device. */
  endpoint: z.url().optional(),
  /** One-time code from a lead or admin; exchanged for a device token, then forgotten. */
  enrolmentCode: z.string().min(8).max(100).optional(),
  deviceName: z.string().min(1).max(200).default('browser'),
  /** What leaves the device: findings with redacted evidence (default) or redacted transcripts too. */
  syncMode: z.enum(SYNC_MODES).optional(),
  /** Days conversations and findings are kept on the device. */
  retentionDays: z.number().int().min(1).max(3650).optional(),
  /** Match patterns of the consoles Sotto may attach to (policy only). */
  allowedOrigins: z.array(z.string().max(500)).max(200).optional(),
  features: Features.optional(),
});
export type SyncSettings = z.infer<typeof SyncSettings>;

export const StoredDevice = DeviceCredentials.extend({ endpoint: z.string() });
export type StoredDevice = z.infer<typeof StoredDevice>;

/** Policy values override local ones field by field; an invalid source is ignored entirely. */
export function mergeSettings(local: unknown, managed: unknown): SyncSettings {
  // Parse without defaults: a default from the policy side must not overwrite a local value.
  const Partial = SyncSettings.extend({ deviceName: z.string().min(1).max(200) }).partial();
  const l = Partial.safeParse(local ?? {});
  const m = Partial.safeParse(managed ?? {});
  const local_ = l.success ? l.data : {};
  const policy = m.success ? stripUndefined(m.data) : {};
  // Features merge one by one: a policy that locks one feature leaves the others to the user.
  const features =
    local_.features || policy.features
      ? { ...stripUndefined(local_.features ?? {}), ...stripUndefined(policy.features ?? {}) }
      : undefined;
  return SyncSettings.parse({ ...local_, ...policy, ...(features ? { features } : {}) });
}

/**
 * Which settings the enterprise policy sets (and so the options page shows locked): top-level
 * keys, and `features.<name>` for each feature. An invalid policy locks nothing, as it sets nothing.
 */
export function lockedByPolicy(managed: unknown): Set<string> {
  const Partial = SyncSettings.extend({ deviceName: z.string().min(1).max(200) }).partial();
  const m = Partial.safeParse(managed ?? {});
  const out = new Set<string>();
  if (!m.success) return out;
  for (const [k, v] of Object.entries(m.data)) {
    if (v === undefined) continue;
    if (k === 'features') {
      for (const [f, on] of Object.entries(v as Record<string, unknown>))
        if (on !== undefined) out.add(`features.${f}`);
    } else out.add(k);
  }
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
