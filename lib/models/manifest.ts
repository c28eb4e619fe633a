import { z } from 'zod';

/**
 * The model manifest (models/manifest.json): what the analysis worker needs to know to run a model
 * file it was handed, and to refuse one that is not what it claims to be. A customer's own export
 * (options page) is described by the same entry and must declare a featuriser Sotto implements.
 */

export const HashgramFeaturiserRef = z.object({
  id: z.literal('sotto-hashgram'),
  version: z.number().int().positive(),
  params: z.object({
    buckets: z.number().int().min(2),
    contextWeight: z.number().min(0).max(0.9),
  }),
});

export const FeaturiserRef = HashgramFeaturiserRef;
export type FeaturiserRef = z.infer<typeof FeaturiserRef>;

export const ModelEntry = z
  .object({
    name: z.string().min(1),
    task: z.enum(['emotion', 'intent']),
    /** Path of the ONNX file relative to the manifest. */
    file: z.string().min(1),
    labels: z.array(z.string().min(1)).min(2),
    /**
     * Labels allowed per speaker; the others get probability 0 and the rest are renormalised
     * (intent: agents get agent acts, customers get customer intents). Absent: every label for everyone.
     */
    labelSets: z
      .object({
        agent: z.array(z.string().min(1)).min(1),
        customer: z.array(z.string().min(1)).min(1),
        system: z.array(z.string().min(1)).min(1),
      })
      .partial()
      .optional(),
    featuriser: FeaturiserRef,
    inputs: z.object({ ids: z.string().min(1), weights: z.string().min(1) }),
    outputs: z.object({ probs: z.string().min(1) }),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z.number().int().positive(),
    opset: z.number().int().min(17),
    quantisation: z.enum(['int8', 'fp16', 'none']),
  })
  .superRefine((m, ctx) => {
    for (const [speaker, set] of Object.entries(m.labelSets ?? {})) {
      for (const l of set)
        if (!m.labels.includes(l))
          ctx.addIssue({ code: 'custom', message: `labelSets.${speaker}: unknown label ${l}` });
    }
    if (new Set(m.labels).size !== m.labels.length)
      ctx.addIssue({ code: 'custom', message: 'labels must be unique' });
  });
export type ModelEntry = z.infer<typeof ModelEntry>;

export const ModelManifest = z.object({
  version: z.literal(1),
  models: z.array(ModelEntry),
});
export type ModelManifest = z.infer<typeof ModelManifest>;
