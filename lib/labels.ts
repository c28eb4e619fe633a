import { z } from 'zod';

import { AGENT_ACTS, CUSTOMER_INTENTS, EMOTIONS, INTENTS } from './label-names';

export { AGENT_ACTS, CUSTOMER_INTENTS, EMOTIONS, INTENTS };

export const Emotion = z.enum(EMOTIONS);
export type Emotion = z.infer<typeof Emotion>;

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
