/**
 * A context the background asks straight away once it has answered, and looks up (and creates)
 * again only when it did not. Looking the offscreen document up (`runtime.getContexts`) before
 * every question was the service worker's largest cost per message and three browser round trips
 * per keystroke's draft check; the analyse path and the draft relay share one of these, since
 * they ask the same document. Pure: tested in Node.
 */
export interface Reachable {
  /**
   * Asks, first making sure the context exists when it did not answer the last question;
   * `answered` tells whether this reply counts as an answer. Rejects as `ask` does.
   */
  ask<R>(ask: () => Promise<R>, answered: (r: R) => boolean): Promise<R>;
}

export function reachable(ensure: () => Promise<void>): Reachable {
  let up = false;
  return {
    async ask(ask, answered) {
      if (!up) await ensure();
      try {
        const r = await ask();
        up = answered(r);
        return r;
      } catch (e) {
        up = false;
        throw e;
      }
    },
  };
}
