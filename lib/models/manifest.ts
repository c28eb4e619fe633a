// zod/mini, not zod: this schema is the only zod the analysis worker evaluates before the models'
// first answers, and `zod` with its method chains and locales is ~450 KB of that worker's script
// (bench:models, issue #5). Same checks, same inferred types.
import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini loads no locale; English issue messages ("Too small: expected …") as `zod` gives them,
// for the options page's and the console's refusals of a manifest entry.
z.config(en());

/**
 * The model manifest (models/manifest.json): what the analysis worker needs to know to run a model
 * file it was handed, and to refuse one that is not what it claims to be. A customer's own export
 * (options page) is described by the same entry and must declare a featuriser Sotto implements.
 */

export const HashgramFeaturiserRef = z.object({
  id: z.literal('sotto-hashgram'),
  version: z.number().check(z.int(), z.positive()),
  params: z.object({
    buckets: z.number().check(z.int(), z.minimum(2)),
    contextWeight: z.number().check(z.minimum(0), z.maximum(0.9)),
  }),
});

export const FeaturiserRef = HashgramFeaturiserRef;
export type FeaturiserRef = z.infer<typeof FeaturiserRef>;

const name = () => z.string().check(z.minLength(1));
const names = () => z.array(name()).check(z.minLength(1));

export const ModelEntry = z
  .object({
    name: name(),
    task: z.enum(['emotion', 'intent']),
    /** Path of the ONNX file relative to the manifest. */
    file: name(),
    labels: z.array(name()).check(z.minLength(2)),
    /**
     * Labels allowed per speaker; the others get probability 0 and the rest are renormalised
     * (intent: agents get agent acts, customers get customer intents). Absent: every label for everyone.
     */
    labelSets: z.optional(
      z.partial(
        z.object({
          agent: names(),
          customer: names(),
          system: names(),
        }),
      ),
    ),
    featuriser: FeaturiserRef,
    inputs: z.object({ ids: name(), weights: name() }),
    outputs: z.object({ probs: name() }),
    sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
    bytes: z.number().check(z.int(), z.positive()),
    opset: z.number().check(z.int(), z.minimum(17)),
    quantisation: z.enum(['int8', 'fp16', 'none']),
  })
  .check(
    z.superRefine((m, ctx) => {
      for (const [speaker, set] of Object.entries(m.labelSets ?? {})) {
        for (const l of set ?? [])
          if (!m.labels.includes(l))
            ctx.addIssue({ code: 'custom', message: `labelSets.${speaker}: unknown label ${l}` });
      }
      if (new Set(m.labels).size !== m.labels.length)
        ctx.addIssue({ code: 'custom', message: 'labels must be unique' });
    }),
  );
export type ModelEntry = z.infer<typeof ModelEntry>;

export const ModelManifest = z.object({
  version: z.literal(1),
  models: z.array(ModelEntry),
});
export type ModelManifest = z.infer<typeof ModelManifest>;
