/**
 * Where findings go and who this device is. Set by the options page, the demo, or enterprise
 * policy (storage.managed), which wins over local settings.
 */
import { z } from 'zod';
import { DeviceCredentials } from './protocol';

export const SyncSettings = z.object({
  /** Base URL of the QA endpoint; absent means findings stay on this device. */
  endpoint: z.url().optional(),
  /** One-time code from a lead or admin; exchanged for a device token, then forgotten. */
  enrolmentCode: z.string().min(8).max(100).optional(),
  deviceName: z.string().min(1).max(200).default('browser'),
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
  const merged = { ...(l.success ? l.data : {}), ...(m.success ? stripUndefined(m.data) : {}) };
  return SyncSettings.parse(merged);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
