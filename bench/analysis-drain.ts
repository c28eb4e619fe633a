import type { Worker } from 'playwright-core';

/**
 * Waits, from the extension's service worker, until at least `expected` turns of `conv` are stored
 * in the background's IndexedDB and each stored turn has its analysis; polls every 250 ms at most
 * `polls` times and answers the last counts either way.
 */
export function analysisDrained(
  sw: Worker,
  conv: string,
  opts: { expected: number; polls: number },
): Promise<{ utterances: number; analyses: number }> {
  return sw.evaluate(
    async ({ conv, expected, polls }) => {
      const count = (db: IDBDatabase, store: string) =>
        new Promise<number>((ok, fail) => {
          const range = IDBKeyRange.bound([conv, 0], [conv, Number.MAX_SAFE_INTEGER]);
          const r = db.transaction(store).objectStore(store).count(range);
          r.onsuccess = () => ok(r.result);
          r.onerror = () => fail(r.error);
        });
      const db = await new Promise<IDBDatabase>((ok, fail) => {
        const r = indexedDB.open('sotto-session');
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      let last = { utterances: 0, analyses: 0 };
      for (let i = 0; i < polls; i++) {
        last = { utterances: await count(db, 'utterances'), analyses: await count(db, 'analyses') };
        if (last.utterances >= expected && last.analyses >= last.utterances) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      db.close();
      return last;
    },
    { conv, expected: Math.max(1, opts.expected), polls: opts.polls },
  );
}
