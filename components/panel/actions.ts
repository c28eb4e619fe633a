/**
 * What the panel's cards can ask of the browser, as an interface: the side panel entry wires it to
 * the background and the clipboard, component tests to recorders.
 */
import type { InsertHintReply } from '@/lib/messages';

export interface PanelActions {
  /** Sends `insert-hint` through the background to the console tab's content script. */
  insertHint(req: {
    tabId: number;
    conversationId: string;
    hintId: string;
    text: string;
  }): Promise<InsertHintReply>;
  copy(text: string): Promise<void>;
}

export const noActions: PanelActions = {
  insertHint: async () => ({ ok: false, reason: 'no console' }),
  copy: async () => {},
};
