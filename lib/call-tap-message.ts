/**
 * background → the console tab's call-tap bridge: capture the call from the page's own WebRTC
 * tracks where tab capture is refused (entrypoints/call-tap*.ts); answered `{ok, reason?}`. One
 * member of the message contract (lib/messages.ts), in a module of its own: the bridge runs in
 * every console page and validates this message alone, without building the whole contract as the
 * page loads.
 */
import { z } from 'zod';
import { AsrConfig } from './asr/config';

export const CallTapMessage = z.object({
  type: z.literal('call-tap'),
  action: z.enum(['start', 'stop']),
  tabId: z.number().int().nonnegative(),
  conversationId: z.string().min(1).max(200),
  asr: AsrConfig.optional(),
});
export type CallTapMessage = z.infer<typeof CallTapMessage>;
