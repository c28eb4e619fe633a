import { AGENT_ACTS, CUSTOMER_INTENTS, EMOTIONS, INTENTS } from '../../lib/labels';
import { lexiconEmotion, lexiconIntent } from './lexicon';

export type TaskName = 'emotion' | 'intent';

export interface TaskSpec {
  name: TaskName;
  labels: readonly string[];
  /** Labels a speaker's turn may take, as indices into `labels`; undefined means all. */
  allowed(speaker: 'agent' | 'customer'): readonly number[] | undefined;
  lexicon(text: string, speaker: 'agent' | 'customer'): string;
}

const customerIdx = CUSTOMER_INTENTS.map((l) => (INTENTS as readonly string[]).indexOf(l));
const agentIdx = AGENT_ACTS.map((l) => (INTENTS as readonly string[]).indexOf(l));

export const TASK_SPECS: Record<TaskName, TaskSpec> = {
  emotion: {
    name: 'emotion',
    labels: EMOTIONS,
    allowed: () => undefined,
    lexicon: (text) => lexiconEmotion(text),
  },
  intent: {
    name: 'intent',
    labels: INTENTS,
    allowed: (speaker) => (speaker === 'agent' ? agentIdx : customerIdx),
    lexicon: (text, speaker) => lexiconIntent(text, speaker),
  },
};
