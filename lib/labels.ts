import { z } from 'zod';

/** Emotion labels, for either speaker (ARCHITECTURE.md "Contracts"). */
export const EMOTIONS = ['angry', 'frustrated', 'neutral', 'positive'] as const;
export const Emotion = z.enum(EMOTIONS);
export type Emotion = z.infer<typeof Emotion>;

/** What a customer turn is about: drives script hints and analytics. */
export const CUSTOMER_INTENTS = [
  'refund_return',
  'order_status',
  'billing_dispute',
  'cancel_account',
  'complaint_escalation',
  'technical_issue',
  'account_access',
  'product_inquiry',
  'change_order',
  'payment_issue',
  'praise_thanks',
  'greeting_closing',
  'other',
] as const;

/** What an agent turn does: used by rules and scorecards. Prefixed so one model can hold both sets. */
export const AGENT_ACTS = [
  'agent_greeting',
  'agent_verify_identity',
  'agent_apology',
  'agent_empathy',
  'agent_explanation',
  'agent_commitment',
  'agent_upsell',
  'agent_hold_transfer',
  'agent_closing',
  'agent_other',
] as const;

export const INTENTS = [...CUSTOMER_INTENTS, ...AGENT_ACTS] as const;
export const Intent = z.enum(INTENTS);
export type Intent = z.infer<typeof Intent>;

export const Speaker = z.enum(['agent', 'customer', 'system']);
export type Speaker = z.infer<typeof Speaker>;

export const Channel = z.enum(['chat', 'voice']);
export type Channel = z.infer<typeof Channel>;

/** Languages Sotto handles; Traditional covers Cantonese written forms too. */
export const Lang = z.enum(['zh-Hans', 'zh-Hant', 'en']);
export type Lang = z.infer<typeof Lang>;

/** Labels valid for a speaker: agents get acts, customers (and system lines) get intents. */
export function intentsFor(speaker: Speaker): readonly Intent[] {
  return speaker === 'agent' ? AGENT_ACTS : CUSTOMER_INTENTS;
}
