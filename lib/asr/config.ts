/**
 * Where voice transcripts come from a speech server: the endpoint from the options page or, when
 * set, the enterprise policy (`asr` in public/managed_schema.json), which wins. No endpoint, no
 * client: without configuration nothing is sent anywhere.
 */
import { z } from 'zod';
import type { AsrHandlers, StreamingAsr, WebSocketFactory } from './types';
import { VoskClient } from './vosk';

/** Server protocols with a client; one entry per implementation. */
export const ASR_PROTOCOLS = {
  vosk: (url: string, connect: WebSocketFactory, on: AsrHandlers): StreamingAsr =>
    new VoskClient({ url, connect }, on),
} as const;

export const AsrSettings = z.object({
  /** ws:// or wss:// address of the organisation's own speech server. */
  endpoint: z
    .string()
    .max(2000)
    .refine((u) => /^wss?:\/\/[^\s/]+/i.test(u), 'the speech server address must start with ws:// or wss://')
    .optional(),
  protocol: z.enum(Object.keys(ASR_PROTOCOLS) as [keyof typeof ASR_PROTOCOLS]).optional(),
});
export type AsrSettings = z.infer<typeof AsrSettings>;

/** The configuration in force, as the background hands it to the call's capture side. */
export const AsrConfig = z.object({
  endpoint: z
    .string()
    .max(2000)
    .regex(/^wss?:\/\/[^\s/]+/i),
  protocol: z.enum(Object.keys(ASR_PROTOCOLS) as [keyof typeof ASR_PROTOCOLS]),
  /** The policy set it: the options page shows it locked. */
  byPolicy: z.boolean(),
});
export type AsrConfig = z.infer<typeof AsrConfig>;

/** Where the options page keeps the local speech server setting (storage.local). */
export const ASR_SETTINGS_KEY = 'sotto:asr-settings';

/** The configuration in force, or undefined (nothing configured, or not valid: nothing is sent). */
export function asrConfig(local: unknown, managed: unknown): AsrConfig | undefined {
  const l = AsrSettings.safeParse(local ?? {});
  const m = AsrSettings.safeParse(managed ?? {});
  const policy = m.success ? m.data : {};
  const mine = l.success ? l.data : {};
  const endpoint = policy.endpoint ?? mine.endpoint;
  if (!endpoint) return undefined;
  return {
    endpoint,
    protocol: (policy.endpoint ? policy.protocol : mine.protocol) ?? 'vosk',
    byPolicy: policy.endpoint !== undefined,
  };
}

/** A client for the configured server, or undefined when none is configured. */
export function createAsr(
  config: AsrConfig | undefined,
  connect: WebSocketFactory,
  on: AsrHandlers,
): StreamingAsr | undefined {
  return config ? ASR_PROTOCOLS[config.protocol](config.endpoint, connect, on) : undefined;
}
