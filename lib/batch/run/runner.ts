/**
 * The batch QA run (issue 11): streams every input file through its importer, has the one model
 * thread classify each chunk's turns, analyses chunks of conversations on worker threads (one per
 * core), writes outputs strictly in input order and checkpoints after whole chunks, so `--resume`
 * continues exactly where a stopped run ended. Memory stays bounded: the reader waits while
 * `2 × workers` chunks are in flight, the workers send back output lines and small per-conversation
 * figures (not findings), and the report aggregate has fixed-size parts only.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Aggregate, addProblem, addStat, emptyAggregate, formatProblem } from '../aggregate';
import { modelInputs } from '../analyse';
import { chooseImporter, importerById } from '../importers';
import { type ConversationOutput, scoresHeader, type UploadRecord } from '../outputs';
import { renderReport } from '../report-html';
import { textSource } from '../source';
import { type ColumnMap, ImportError, type ImportItem, problemItem } from '../types';
import { type InputFile, expandInputs, fileInput } from './files';
import { Progress } from './progress';
import type { ChunkPredictions, FromModels, FromWorker, ToModels, ToWorker } from './protocol';
import { type SetupConfig, compileRulebooks, loadScorecard } from './setup';
import { type UploadSummary, Uploader } from './upload';

export interface RunOptions {
  inputs: string[];
  /** Parsed rulebook files (path → JSON). */
  rulebooks: Record<string, unknown>;
  scorecard: unknown;
  scorecardName: string;
  outDir: string;
  manifestPath?: string;
  format?: string;
  map?: ColumnMap;
  agentNames?: string[];
  channel?: 'chat' | 'voice';
  resume?: boolean;
  upload?: { url: string; token: string };
  workers?: number;
  /** Conversations per chunk sent to a worker. */
  chunkSize?: number;
  signal?: AbortSignal;
  progress?: { write(s: string): boolean; isTTY?: boolean };
  log?: (line: string) => void;
}

export interface RunSummary {
  conversations: number;
  findings: number;
  skipped: number;
  skippedByReason: Record<string, number>;
  averageScore: number;
  stopped: boolean;
  resumedFrom: number;
  seconds: number;
  conversationsPerSecond: number;
  modelCache: { hits: number; misses: number };
  /** Seconds each thread was busy (event-loop utilisation), to see where a run spends its CPU. */
  busySeconds: { main: number; models: number; workers: number[] };
  models: string[];
  errors: string[];
  upload?: UploadSummary;
  outputs: { findings: string; scores: string; report: string; summary: string; problems: string };
}

interface Checkpoint {
  version: 1;
  signature: string;
  /** Import items (conversations and problems) fully written, in input order. */
  items: number;
  bytes: { findings: number; scores: number; problems: number };
  aggregate: Aggregate;
  complete: boolean;
}

interface Chunk {
  id: number;
  items: ImportItem[];
  outputs?: ConversationOutput[];
  error?: string;
}

const CHECKPOINT_EVERY_MS = 2000;
const MAX_CHUNK_TURNS = 4000;

function signatureOf(files: InputFile[], opts: RunOptions): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(files));
  h.update(
    JSON.stringify([
      opts.rulebooks,
      opts.scorecard,
      opts.format,
      opts.map,
      opts.agentNames,
      opts.channel,
      opts.manifestPath,
    ]),
  );
  return h.digest('hex');
}

export async function runBatch(opts: RunOptions): Promise<RunSummary> {
  const t0 = Date.now();
  const elu0 = performance.eventLoopUtilization();
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const errors: string[] = [];
  // Validate once up front: a broken rulebook or scorecard must stop the run before any work.
  const compiled = compileRulebooks(opts.rulebooks);
  if (compiled.errors.length > 0) throw new Error(`invalid rulebook:\n  ${compiled.errors.join('\n  ')}`);
  const scorecard = loadScorecard(opts.scorecard);
  const dimensions = scorecard.dimensions.map((d) => d.id);
  const files = expandInputs(opts.inputs, [opts.outDir]);
  if (files.length === 0) throw new Error('no input files found');
  mkdirSync(opts.outDir, { recursive: true });
  const paths = {
    findings: join(opts.outDir, 'findings.jsonl'),
    scores: join(opts.outDir, 'scores.csv'),
    report: join(opts.outDir, 'report.html'),
    summary: join(opts.outDir, 'summary.json'),
    problems: join(opts.outDir, 'problems.txt'),
    checkpoint: join(opts.outDir, '.checkpoint.json'),
  };
  const signature = signatureOf(files, opts);

  let aggregate = emptyAggregate();
  let skipItems = 0;
  const bytes = { findings: 0, scores: 0, problems: 0 };
  if (opts.resume && existsSync(paths.checkpoint)) {
    const cp = JSON.parse(readFileSync(paths.checkpoint, 'utf8')) as Checkpoint;
    if (cp.signature !== signature)
      throw new Error(
        '--resume: the inputs, rulebooks, scorecard or options changed since the checkpoint; run without --resume',
      );
    aggregate = cp.aggregate;
    skipItems = cp.items;
    Object.assign(bytes, cp.bytes);
    // Anything written after the checkpoint belongs to chunks that will be analysed again.
    for (const k of ['findings', 'scores', 'problems'] as const) truncateSync(paths[k], cp.bytes[k]);
    log(`resuming after ${cp.items} items (${cp.aggregate.conversations} conversations)`);
  } else if (opts.resume) {
    log('--resume: no checkpoint found, starting from the beginning');
  }
  const fds = {
    findings: openSync(paths.findings, skipItems > 0 ? 'a' : 'w'),
    scores: openSync(paths.scores, skipItems > 0 ? 'a' : 'w'),
    problems: openSync(paths.problems, skipItems > 0 ? 'a' : 'w'),
  };
  const write = (k: keyof typeof fds, s: string) => {
    if (s === '') return;
    const b = Buffer.from(s);
    writeSync(fds[k], b);
    bytes[k] += b.length;
  };
  if (bytes.scores === 0) write('scores', scoresHeader(dimensions));

  let itemsDone = skipItems;
  const resumedConversations = aggregate.conversations;
  const writeCheckpoint = (complete: boolean) => {
    const cp: Checkpoint = {
      version: 1,
      signature,
      items: itemsDone,
      bytes: { ...bytes },
      aggregate,
      complete,
    };
    writeFileSync(`${paths.checkpoint}.tmp`, JSON.stringify(cp));
    renameSync(`${paths.checkpoint}.tmp`, paths.checkpoint);
  };

  // The model thread (one model runtime for the whole run), then the analysis worker pool.
  const nWorkers = Math.max(1, opts.workers ?? availableParallelism());
  const config: SetupConfig = { rulebooks: opts.rulebooks, scorecard: opts.scorecard };
  const workers: Worker[] = [];
  const idle: Worker[] = [];
  const waiters: ((w: Worker) => void)[] = [];
  const inFlight = new Map<Worker, Chunk>();
  const chunks = new Map<number, Chunk>();
  let cacheStats = { hits: 0, misses: 0 };
  let models: string[] = [];
  let modelNames: { emotion?: string; intent?: string } = {};
  let onChunkDone: () => void = () => {};
  let fatal: Error | undefined;
  const fail = (e: Error) => {
    fatal ??= e;
    onChunkDone();
  };

  let modelThread: Worker | undefined;
  const predictionWaiters = new Map<number, (m: FromModels) => void>();
  if (opts.manifestPath) {
    const mt = spawnWorker('./model-worker.ts');
    modelThread = mt;
    const ready = new Promise<FromModels & { type: 'ready' }>((res, rej) => {
      mt.once('message', (m: FromModels) => res(m as FromModels & { type: 'ready' }));
      mt.once('error', rej);
    });
    mt.postMessage({ type: 'init', manifestPath: opts.manifestPath } satisfies ToModels);
    const r = await ready;
    errors.push(...r.errors);
    models = r.names;
    modelNames = r.models;
    mt.on('message', (m: FromModels) => {
      if (m.type === 'ready') return;
      const waiter = predictionWaiters.get(m.id);
      predictionWaiters.delete(m.id);
      waiter?.(m);
    });
    mt.on('error', fail);
  }
  const predict = (id: number, conversations: ImportItem[]): Promise<ChunkPredictions | undefined> => {
    const mt = modelThread;
    if (!mt || (!modelNames.emotion && !modelNames.intent)) return Promise.resolve(undefined);
    const inputs = modelInputs(
      conversations.flatMap((i) => (i.kind === 'conversation' ? [i.conversation] : [])),
    ) as { speaker: 'agent' | 'customer'; text: string }[];
    return new Promise((res, rej) => {
      predictionWaiters.set(id, (m) => {
        if (m.type === 'predictions') {
          cacheStats = m.cache;
          res(m.predictions);
        } else if (m.type === 'failed') rej(new Error(m.error));
      });
      mt.postMessage({ type: 'classify', id, inputs } satisfies ToModels);
    });
  };

  const release = (w: Worker) => {
    const next = waiters.shift();
    if (next) next(w);
    else idle.push(w);
  };
  const acquire = () =>
    new Promise<Worker>((res) => {
      const w = idle.pop();
      if (w) res(w);
      else waiters.push(res);
    });

  if (!errors.some((e) => e.startsWith('fatal:')))
    await Promise.all(
      Array.from({ length: nWorkers }, async () => {
        const w = spawnWorker('./worker.ts');
        workers.push(w);
        const ready = new Promise<FromWorker & { type: 'ready' }>((res) => {
          w.once('message', (m: FromWorker) => res(m as FromWorker & { type: 'ready' }));
        });
        w.postMessage({
          type: 'init',
          config,
          models: modelNames,
          dimensions,
          upload: opts.upload !== undefined,
        } satisfies ToWorker);
        const r = await ready;
        for (const e of r.errors) if (!errors.includes(e)) errors.push(e);
        w.on('message', (m: FromWorker) => {
          const chunk = inFlight.get(w);
          inFlight.delete(w);
          if (chunk) {
            if (m.type === 'result') chunk.outputs = m.outputs;
            else if (m.type === 'failed') chunk.error = m.error;
          }
          release(w);
          onChunkDone();
        });
        w.on('error', fail);
        release(w);
      }),
    );
  if (errors.some((e) => e.startsWith('fatal:'))) {
    await Promise.all([...workers, ...(modelThread ? [modelThread] : [])].map((w) => w.terminate()));
    throw new Error(errors.join('\n'));
  }
  for (const e of errors) log(`warning: ${e}`);

  const uploader = opts.upload ? new Uploader(opts.upload.url, opts.upload.token) : undefined;
  const progress = new Progress(opts.progress ?? process.stderr);
  const totalBytes = files.reduce((s, f) => s + f.size, 0);
  let bytesRead = 0;
  let lastCheckpoint = Date.now();
  /** The progress line; `final` draws it even when the last one was drawn a moment ago. */
  const showProgress = (final = false) =>
    progress.update(
      {
        conversations: aggregate.conversations,
        skipped: aggregate.skipped.total,
        findings: aggregate.findings,
        bytesRead,
        bytesTotal: totalBytes,
      },
      final,
    );
  let nextEmit = 0;

  const emitReady = async () => {
    for (
      let c = chunks.get(nextEmit);
      c && (c.outputs || c.error !== undefined || !hasConversations(c));
      c = chunks.get(nextEmit)
    ) {
      chunks.delete(nextEmit);
      nextEmit++;
      let k = 0;
      let findingLines = '';
      let scoreLines = '';
      const uploads: UploadRecord[] = [];
      for (const item of c.items) {
        if (item.kind === 'problem') {
          addProblem(aggregate, item.problem);
          write('problems', `${formatProblem(item.problem)}\n`);
          // A whole file that cannot be read deserves a message now, not only a line in problems.txt.
          if (item.problem.reason === 'unreadable file') log(formatProblem(item.problem));
          continue;
        }
        const r = c.outputs?.[k++];
        if (!r || 'error' in r) {
          const p = {
            file: item.conversation.origin,
            line: 0,
            reason: 'analysis failed',
            detail: (r && 'error' in r ? r.error : undefined) ?? c.error ?? 'no result',
          };
          addProblem(aggregate, p);
          write('problems', `${item.conversation.origin}: analysis failed (${p.detail})\n`);
          continue;
        }
        addStat(aggregate, r.stat);
        findingLines += r.findings;
        scoreLines += r.scores;
        if (r.upload) uploads.push(r.upload);
      }
      write('findings', findingLines);
      write('scores', scoreLines);
      itemsDone += c.items.length;
      if (uploader) await uploader.add(uploads);
      if (Date.now() - lastCheckpoint >= CHECKPOINT_EVERY_MS) {
        if (uploader) await uploader.drain(false);
        writeCheckpoint(false);
        lastCheckpoint = Date.now();
      }
    }
    showProgress();
  };

  const chunkDone = () =>
    new Promise<void>((res) => {
      onChunkDone = () => {
        onChunkDone = () => {};
        res();
      };
    });

  let chunkId = 0;
  const dispatch = (items: ImportItem[]) => {
    const chunk: Chunk = { id: chunkId++, items };
    chunks.set(chunk.id, chunk);
    if (!hasConversations(chunk)) return;
    // Not awaited: the reader goes on while the model thread and then a worker take the chunk;
    // back-pressure comes from the number of chunks not yet written (maxPending).
    void (async () => {
      try {
        const predictions = await predict(chunk.id, items);
        const w = await acquire();
        inFlight.set(w, chunk);
        const conversations = items.flatMap((i) => (i.kind === 'conversation' ? [i.conversation] : []));
        w.postMessage({
          type: 'chunk',
          id: chunk.id,
          conversations,
          ...(predictions ? { predictions } : {}),
        } satisfies ToWorker);
      } catch (e) {
        chunk.error = (e as Error).message;
        onChunkDone();
      }
    })();
  };

  const chunkSize = opts.chunkSize ?? 48;
  const maxPending = nWorkers * 2;
  let stopped = false;
  let seen = 0;
  const busySeconds: RunSummary['busySeconds'] = { main: 0, models: 0, workers: [] };
  try {
    let buf: ImportItem[] = [];
    let bufConvs = 0;
    let bufTurns = 0;
    const flush = async () => {
      if (buf.length === 0) return;
      // Back-pressure: wait while too many chunks are analysed or waiting to be written.
      while (chunks.size >= maxPending && !fatal) {
        const done = chunkDone();
        await emitReady();
        if (chunks.size >= maxPending) await done;
      }
      const items = buf;
      buf = [];
      bufConvs = 0;
      bufTurns = 0;
      dispatch(items);
      await emitReady();
    };
    outer: for (const file of files) {
      let reader: AsyncIterable<ImportItem>;
      try {
        const source = textSource(fileInput(file.path, (n) => (bytesRead += n)));
        const importer = opts.format ? importerById(opts.format) : chooseImporter(source.head, file.path);
        reader = importer.read(source, {
          file: file.path,
          ...(opts.map ? { map: opts.map } : {}),
          ...(opts.agentNames ? { agentNames: opts.agentNames } : {}),
          ...(opts.channel ? { channel: opts.channel } : {}),
        });
      } catch (e) {
        reader = fileProblem(file.path, e);
      }
      try {
        for await (const item of reader) {
          if (opts.signal?.aborted || fatal) {
            stopped = true;
            break outer;
          }
          if (seen++ < skipItems) continue;
          buf.push(item);
          if (item.kind === 'conversation') {
            bufConvs++;
            bufTurns += item.conversation.turns.length;
          }
          if (bufConvs >= chunkSize || bufTurns >= MAX_CHUNK_TURNS || buf.length >= chunkSize * 8)
            await flush();
        }
      } catch (e) {
        // An importer that throws mid-file (unknown columns, unreadable bytes) costs that file only.
        for await (const item of fileProblem(file.path, e)) {
          if (seen++ < skipItems) continue;
          buf.push(item);
        }
      }
    }
    if (!stopped) await flush();
    else buf = []; // items read but not dispatched are read again on --resume
    while (chunks.size > 0 && !fatal) {
      const done = chunkDone();
      await emitReady();
      if (chunks.size > 0) await done;
    }
  } finally {
    const busy = (w: Worker) => w.performance.eventLoopUtilization().active / 1000;
    busySeconds.models = modelThread ? busy(modelThread) : 0;
    busySeconds.workers = workers.map(busy);
    await Promise.all([...workers, ...(modelThread ? [modelThread] : [])].map((w) => w.terminate()));
    showProgress(true);
    progress.done();
  }
  if (fatal) throw fatal;
  if (uploader) await uploader.drain(true);
  writeCheckpoint(!stopped);
  for (const fd of Object.values(fds)) closeSync(fd);

  const upload = uploader ? await uploader.summary() : undefined;
  const seconds = (Date.now() - t0) / 1000;
  const cache = cacheStats;
  writeFileSync(
    paths.report,
    renderReport(aggregate, {
      title: 'Sotto batch QA report',
      generatedAt: new Date().toISOString(),
      inputs: opts.inputs,
      rulebooks: compiled.books.map((b) => `${b.id}@${b.version}`),
      scorecard: `${scorecard.id}@${scorecard.version} (${opts.scorecardName})`,
      models,
      stopped,
    }),
  );
  const summary: RunSummary = {
    conversations: aggregate.conversations,
    findings: aggregate.findings,
    skipped: aggregate.skipped.total,
    skippedByReason: aggregate.skipped.byReason,
    averageScore: aggregate.conversations
      ? Math.round((100 * aggregate.scoreSum) / aggregate.conversations) / 100
      : 0,
    stopped,
    resumedFrom: skipItems,
    seconds,
    conversationsPerSecond: (aggregate.conversations - resumedConversations) / Math.max(seconds, 0.001),
    modelCache: cache,
    busySeconds: {
      ...busySeconds,
      main: performance.eventLoopUtilization(elu0).active / 1000,
    },
    models,
    errors,
    ...(upload ? { upload } : {}),
    outputs: {
      findings: paths.findings,
      scores: paths.scores,
      report: paths.report,
      summary: paths.summary,
      problems: paths.problems,
    },
  };
  writeFileSync(paths.summary, `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/**
 * Run from TypeScript (tsx), the worker needs tsx's loader too: hooks registered in the main
 * thread do not reach worker threads (nodejs/node#47747), so the worker registers them first.
 */
function spawnWorker(file: './worker.ts' | './model-worker.ts'): Worker {
  const url = new URL(file, import.meta.url);
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true });
}

function hasConversations(c: Chunk): boolean {
  return c.items.some((i) => i.kind === 'conversation');
}

async function* fileProblem(file: string, e: unknown): AsyncIterable<ImportItem> {
  const message = e instanceof ImportError ? e.message.slice(file.length + 2) : (e as Error).message;
  yield problemItem(file, 0, 'unreadable file', message);
}
