/** What the background needs to start and stop monitoring a call; platform code implements it. */
export type CallStartResult = { ok: true; conversationId: string } | { ok: false; reason: string };

export interface CallControl {
  /**
   * Captures the tab's audio (the customer) and, with `mic`, the microphone (the agent) in the
   * offscreen document. `conversationId` is the console's current conversation when its adapter
   * knows it, so captions and audio metrics land in one conversation.
   */
  start(tabId: number, conversationId: string | undefined, mic: boolean): Promise<CallStartResult>;
  stop(tabId: number): Promise<void>;
}

/** A conversation id for a call whose console did not name one. */
export function callConversationId(tabId: number, now = Date.now()): string {
  return `call-${tabId}-${now.toString(36)}`;
}
