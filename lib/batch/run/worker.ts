/**
 * Batch analysis worker thread: compiles the rulebooks and loads the models once, then analyses
 * chunks of conversations. A conversation that throws is reported, not fatal (issue 11: a run
 * never dies on one bad conversation).
 */
import { parentPort } from 'node:worker_threads';
import { analyseConversation, type ConversationResult } from '../analyse';
import type { FromWorker, ToWorker } from './protocol';
import { type Prepared, prepare } from './setup';

const port = parentPort;
if (!port) throw new Error('worker.ts runs as a worker thread');

let prepared: Prepared | undefined;
const send = (m: FromWorker) => port.postMessage(m);

port.on('message', async (msg: ToWorker) => {
  if (msg.type === 'init') {
    try {
      prepared = await prepare(msg.config);
      send({ type: 'ready', errors: prepared.errors, models: prepared.models });
    } catch (e) {
      send({ type: 'ready', errors: [`fatal: ${(e as Error).message}`], models: [] });
    }
    return;
  }
  const p = prepared;
  if (!p) return send({ type: 'failed', id: msg.id, error: 'worker not initialised' });
  try {
    const turns = msg.conversations.flatMap((c) => c.turns);
    await Promise.all([p.emotion?.prefetch(turns), p.intent?.prefetch(turns)]);
    const results: ConversationResult[] = [];
    for (const c of msg.conversations) {
      try {
        results.push(await analyseConversation(c, p.deps));
      } catch (e) {
        results.push(failedResult(c.id, c.origin, (e as Error).message));
      }
    }
    const cache = {
      hits: (p.emotion?.hits ?? 0) + (p.intent?.hits ?? 0),
      misses: (p.emotion?.misses ?? 0) + (p.intent?.misses ?? 0),
    };
    send({ type: 'result', id: msg.id, results, cache });
  } catch (e) {
    send({ type: 'failed', id: msg.id, error: (e as Error).message });
  }
});

/** Marks a conversation the engine could not analyse; the runner counts it as skipped. */
function failedResult(id: string, origin: string, error: string): ConversationResult {
  return {
    id,
    origin,
    error,
    channel: 'chat',
    turns: 0,
    startedAt: 0,
    endedAt: 0,
    findings: [],
    score: { total: 0, passed: false, autoFailed: false, dimensions: {} },
    emotions: { customer: {}, agent: {} },
    examples: [],
  };
}
