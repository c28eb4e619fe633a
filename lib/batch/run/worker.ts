/**
 * Batch analysis worker thread: compiles the rulebooks once, then analyses chunks of
 * conversations with the predictions the model thread made for them, and writes each
 * conversation's output lines here, so only text and a few figures go back to the main thread.
 * A conversation that throws is reported, not fatal (issue 11: a run never dies on one bad
 * conversation).
 */
import { parentPort } from 'node:worker_threads';
import { analyseConversation, modelInputs, SuppliedClassifier } from '../analyse';
import { type ConversationOutput, outputOf } from '../outputs';
import type { FromWorker, ToWorker } from './protocol';
import { type Prepared, prepare } from './setup';

const port = parentPort;
if (!port) throw new Error('worker.ts runs as a worker thread');

let prepared: Prepared | undefined;
let emotion: SuppliedClassifier | undefined;
let intent: SuppliedClassifier | undefined;
let dimensions: string[] = [];
let upload = false;
const send = (m: FromWorker) => port.postMessage(m);

port.on('message', async (msg: ToWorker) => {
  if (msg.type === 'init') {
    try {
      // The models live in the model thread: compile rules and scorecard only.
      const { manifestPath: _models, ...config } = msg.config;
      prepared = await prepare(config);
      if (msg.models.emotion) prepared.deps.emotion = emotion = new SuppliedClassifier(msg.models.emotion);
      if (msg.models.intent) prepared.deps.intent = intent = new SuppliedClassifier(msg.models.intent);
      dimensions = msg.dimensions;
      upload = msg.upload;
      send({ type: 'ready', errors: prepared.errors });
    } catch (e) {
      send({ type: 'ready', errors: [`fatal: ${(e as Error).message}`] });
    }
    return;
  }
  const p = prepared;
  if (!p) return send({ type: 'failed', id: msg.id, error: 'worker not initialised' });
  try {
    if (emotion || intent) {
      const inputs = modelInputs(msg.conversations);
      emotion?.supply(inputs, msg.predictions?.emotion ?? []);
      intent?.supply(inputs, msg.predictions?.intent ?? []);
    }
    const outputs: ConversationOutput[] = [];
    for (const c of msg.conversations) {
      try {
        outputs.push(outputOf(await analyseConversation(c, p.deps), dimensions, upload));
      } catch (e) {
        outputs.push({ origin: c.origin, error: (e as Error).message });
      }
    }
    send({ type: 'result', id: msg.id, outputs });
  } catch (e) {
    send({ type: 'failed', id: msg.id, error: (e as Error).message });
  }
});
