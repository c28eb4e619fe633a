/** Classification metrics for the model cards. */

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Report {
  n: number;
  accuracy: number;
  macroF1: number;
  perClass: ClassMetrics[];
  /** confusion[gold][pred] over `labels`. */
  confusion: number[][];
  labels: string[];
  ece: number;
}

export interface Scored {
  gold: number;
  pred: number;
  /** Probability of the predicted label. */
  conf: number;
}

/**
 * Macro-F1 averages over the labels that occur in the gold set of this slice (a label nobody wrote
 * for, say, zh-Hant agent closings should neither help nor hurt that slice), plus any label the model
 * predicted there wrongly (a spurious prediction still costs).
 */
export function report(items: Scored[], labels: readonly string[]): Report {
  const C = labels.length;
  const confusion = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  for (const it of items) confusion[it.gold]![it.pred]! += 1;
  const perClass: ClassMetrics[] = [];
  const counted: number[] = [];
  for (let c = 0; c < C; c++) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let k = 0; k < C; k++) {
      if (k === c) tp = confusion[c]![c]!;
      else {
        fp += confusion[k]![c]!;
        fn += confusion[c]![k]!;
      }
    }
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perClass.push({ label: labels[c]!, precision, recall, f1, support: tp + fn });
    if (tp + fn + fp > 0) counted.push(f1);
  }
  const correct = items.filter((i) => i.gold === i.pred).length;
  return {
    n: items.length,
    accuracy: items.length ? correct / items.length : 0,
    macroF1: counted.length ? counted.reduce((a, b) => a + b, 0) / counted.length : 0,
    perClass,
    confusion,
    labels: [...labels],
    ece: expectedCalibrationError(items),
  };
}

/** ECE over 10 equal-width confidence bins: |accuracy − mean confidence| weighted by bin size. */
export function expectedCalibrationError(items: Scored[], bins = 10): number {
  if (!items.length) return 0;
  const n = new Array<number>(bins).fill(0);
  const acc = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  for (const it of items) {
    const b = Math.min(bins - 1, Math.floor(it.conf * bins));
    n[b]! += 1;
    acc[b]! += it.gold === it.pred ? 1 : 0;
    conf[b]! += it.conf;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++)
    if (n[b]) ece += (n[b]! / items.length) * Math.abs(acc[b]! / n[b]! - conf[b]! / n[b]!);
  return ece;
}
