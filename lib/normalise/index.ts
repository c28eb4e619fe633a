export { foldHomophones, pinyinOf } from './homophones';
export type { Normalised, NormaliseOptions } from './normalise';
export { normalise, normalisePhrase, toOriginal } from './normalise';
export { stemWord } from './stem';
