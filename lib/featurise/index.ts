import {
  type Features,
  type FeaturiseInput,
  featurise,
  HASHGRAM_ID,
  HASHGRAM_VERSIONS,
  type HashgramParams,
} from './hashgram';

export * from './hashgram';
export { normalise, prepareNormaliser } from './normalise';

/**
 * Featurisers a model may declare in its manifest entry. A model (ours or a customer's own export)
 * is only loaded when its declared id and version are listed here, so ids always mean what the
 * model was trained on.
 */
export const FEATURISERS = {
  [HASHGRAM_ID]: { versions: HASHGRAM_VERSIONS },
} as const;

export function isSupportedFeaturiser(id: string, version: number): boolean {
  const f = (FEATURISERS as Record<string, { versions: readonly number[] }>)[id];
  return !!f && f.versions.includes(version);
}

export type Featuriser = (input: FeaturiseInput) => Features;

export function createFeaturiser(id: string, version: number, params: HashgramParams): Featuriser {
  if (!isSupportedFeaturiser(id, version)) throw new Error(`unsupported featuriser ${id}@${version}`);
  return (input) => featurise(input, params, version);
}
