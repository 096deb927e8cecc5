/**
 * Direct labels that never collide: given where each label would like to sit on one axis (e.g. the y of
 * its line's last point), place them at least `gap` apart, in the same order, inside [min, max], moving
 * them as little as possible (least squares). With positions sorted, subtracting i·gap turns "at least
 * gap apart" into "non-decreasing", which pool-adjacent-violators solves exactly; clamping that solution
 * to the bounds keeps it optimal.
 */

export interface LabelLayoutOptions {
  /** Smallest distance between neighbouring labels (e.g. the text height in pixels). */
  gap: number;
  /** Bounds of the positions (default: unbounded). */
  min?: number;
  max?: number;
}

/**
 * Positions for labels that want to be at `wanted` (any order; ties keep their input order), returned
 * in input order. When the labels cannot fit between min and max, they are stacked `gap` apart from min.
 */
export function spreadLabels(wanted: readonly number[], options: LabelLayoutOptions): number[] {
  const { gap } = options;
  if (!(gap >= 0)) throw new Error(`spreadLabels: gap must be a non-negative number, got ${gap}`);
  if (wanted.some((y) => !Number.isFinite(y))) throw new Error("spreadLabels: every wanted position must be finite");
  const min = options.min ?? -Infinity;
  const max = options.max ?? Infinity;
  if (min > max) throw new Error(`spreadLabels: min ${min} is above max ${max}`);
  const n = wanted.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => wanted[a] - wanted[b] || a - b);
  // Pool adjacent violators on z_k = wanted_k − k·gap (k = rank): blocks of equal value, merged while decreasing.
  const blocks: { sum: number; count: number }[] = [];
  order.forEach((index, k) => {
    blocks.push({ sum: wanted[index] - k * gap, count: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1];
      const a = blocks[blocks.length - 2];
      if (a.sum / a.count <= b.sum / b.count) break;
      a.sum += b.sum;
      a.count += b.count;
      blocks.pop();
    }
  });
  const span = (n - 1) * gap;
  const fits = max - min >= span;
  const out = new Array<number>(n);
  let k = 0;
  for (const b of blocks) {
    const level = fits ? Math.min(max - span, Math.max(min, b.sum / b.count)) : min;
    for (let j = 0; j < b.count; j++, k++) out[order[k]] = level + k * gap;
  }
  return out;
}
