import type { TextClassifier } from '../analysis/pipeline';
import type { Prediction } from '../analysis/types';
import type { BootResult } from './boot';
import type { LoadedModel } from './runtime';

/**
 * The analysis worker's models while they can be replaced (issue 9: a team's model manifest). A
 * new manifest is booted beside the running models, which keep answering until it is ready; it
 * replaces them in one step only when every model in it opened and passed its checks (size,
 * sha256, featuriser). Otherwise the new models are released, the previous ones keep running and
 * the errors are returned for diagnostics. A task the new manifest does not list has no model
 * afterwards: the pipeline gives no answers for it. A replaced model is released once the calls
 * already running on it have finished.
 */

export type ModelTask = 'emotion' | 'intent';

export interface ModelSwap {
  /** The new models run now; false: the previous ones were kept. */
  applied: boolean;
  /** `name@sha256-prefix` of each model running after the swap, for the status line. */
  models: string[];
  errors: string[];
}

export type Classifiers = Partial<Record<ModelTask, TextClassifier>>;

export const modelLabel = (m: LoadedModel): string => `${m.entry.name}@${m.entry.sha256.slice(0, 8)}`;

export class LiveModels {
  private current: Map<string, LoadedModel>;
  private readonly calls = new Map<LoadedModel, number>();
  private readonly retired = new Set<LoadedModel>();
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * `onChange` gets the classifiers per task at once and after every applied swap (the pipeline's
   * deps: a batch reads them once, so it runs on one set or the other).
   */
  constructor(
    initial: Map<string, LoadedModel>,
    private readonly onChange: (classifiers: Classifiers) => void,
  ) {
    this.current = initial;
    this.onChange(this.classifiers());
  }

  /** `name@sha256-prefix` of the running models. */
  get names(): string[] {
    return [...this.current.values()].map(modelLabel);
  }

  /** The running model of a task, if any. */
  get(task: ModelTask): LoadedModel | undefined {
    return this.current.get(task);
  }

  /** Boots a new set with `boot` and swaps it in if it fully opened; one swap at a time. */
  swap(boot: () => Promise<BootResult>): Promise<ModelSwap> {
    const next = this.queue.then(() => this.swapNow(boot));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async swapNow(boot: () => Promise<BootResult>): Promise<ModelSwap> {
    let booted: BootResult;
    try {
      booted = await boot();
    } catch (e) {
      return this.kept([e instanceof Error ? e.message : String(e)]);
    }
    if (booted.errors.length > 0) {
      for (const m of booted.models.values()) await m.release().catch(() => {});
      return this.kept(booted.errors);
    }
    const previous = this.current;
    this.current = booted.models;
    this.onChange(this.classifiers());
    for (const m of previous.values()) this.retire(m);
    return { applied: true, models: this.names, errors: [] };
  }

  private kept(errors: string[]): ModelSwap {
    return { applied: false, models: this.names, errors };
  }

  private classifiers(): Classifiers {
    const out: Classifiers = {};
    for (const task of ['emotion', 'intent'] as const) {
      const m = this.current.get(task);
      if (m) out[task] = this.classifier(m);
    }
    return out;
  }

  private classifier(model: LoadedModel): TextClassifier {
    return {
      name: modelLabel(model),
      classify: async (batch) => {
        this.calls.set(model, (this.calls.get(model) ?? 0) + 1);
        try {
          return (await model.classify(batch)) as Prediction[];
        } finally {
          const left = (this.calls.get(model) ?? 1) - 1;
          if (left > 0) this.calls.set(model, left);
          else {
            this.calls.delete(model);
            if (this.retired.delete(model)) void model.release().catch(() => {});
          }
        }
      },
    };
  }

  /** Releases a replaced model now, or after the last call running on it. */
  private retire(model: LoadedModel): void {
    if ([...this.current.values()].includes(model)) return;
    if (this.calls.has(model)) this.retired.add(model);
    else void model.release().catch(() => {});
  }
}
