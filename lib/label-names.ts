/**
 * The label names alone, without zod: bundles that must stay small (the QA console) list and
 * translate labels from here; `lib/labels.ts` builds the contract's schemas from the same lists.
 */

/** Emotion labels, for either speaker (ARCHITECTURE.md "Contracts"). */
export const EMOTIONS = ['angry', 'frustrated', 'neutral', 'positive'] as const;

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
