/**
 * The 15 fixed 3×3 kernel shapes of LHC with rigid shapes ("Learnable Heterogeneous Convolution",
 * upstream code Genera1Z/LearnableHeterogeneousConvolution, `Conv2dLhcr.SHAPES`): the empty kernel,
 * the centre tap, a horizontal line and an anti-diagonal and their 90° rotations, a 2×2 corner block in
 * its four rotations, a two-row (6-tap) block in its four rotations, and the full 3×3 kernel.
 * Rotations follow numpy's `rot90` (counter-clockwise), so the order matches the reference.
 */

/** A 3×3 binary shape, row-major [row][column]. */
export type Shape3x3 = number[][];

/** numpy `rot90`: counter-clockwise quarter turn, out[i][j] = in[j][n − 1 − i]. */
export function rot90(shape: Shape3x3): Shape3x3 {
  const n = shape.length;
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => shape[j][n - 1 - i]));
}

function rotations(shape: Shape3x3, turns: number): Shape3x3[] {
  const out = [shape];
  for (let t = 1; t < turns; t++) out.push(rot90(out[t - 1]));
  return out;
}

const EMPTY = [
  [0, 0, 0],
  [0, 0, 0],
  [0, 0, 0],
];
const CENTRE = [
  [0, 0, 0],
  [0, 1, 0],
  [0, 0, 0],
];
const LINE = [
  [0, 0, 0],
  [1, 1, 1],
  [0, 0, 0],
];
const ANTI_DIAGONAL = [
  [0, 0, 1],
  [0, 1, 0],
  [1, 0, 0],
];
const CORNER_BLOCK = [
  [0, 1, 1],
  [0, 1, 1],
  [0, 0, 0],
];
const TWO_ROWS = [
  [1, 1, 1],
  [1, 1, 1],
  [0, 0, 0],
];
const FULL = [
  [1, 1, 1],
  [1, 1, 1],
  [1, 1, 1],
];

/** The 15 shapes in upstream's order. */
export const RIGID_SHAPES_3X3: readonly Shape3x3[] = Object.freeze([
  EMPTY,
  CENTRE,
  LINE,
  ANTI_DIAGONAL,
  rot90(LINE),
  rot90(ANTI_DIAGONAL),
  ...rotations(CORNER_BLOCK, 4),
  ...rotations(TWO_ROWS, 4),
  FULL,
]);

export const RIGID_SHAPE_COUNT = RIGID_SHAPES_3X3.length;

/** Short labels for legends, in the same order. */
export const RIGID_SHAPE_NAMES: readonly string[] = Object.freeze([
  "empty",
  "centre",
  "horizontal line",
  "anti-diagonal",
  "vertical line",
  "diagonal",
  "corner block ↗",
  "corner block ↖",
  "corner block ↙",
  "corner block ↘",
  "two rows ↑",
  "two columns ←",
  "two rows ↓",
  "two columns →",
  "full",
]);

/** Bit code of a k×k binary shape (row-major, tap r·k + c → bit r·k + c); distinct shapes ⇔ distinct codes. */
export function shapeCode(shape: ArrayLike<number>): number {
  let code = 0;
  for (let i = 0; i < shape.length; i++) if (shape[i] > 0) code |= 1 << i;
  return code;
}

/** [9, 15] matrix: column s is shape s flattened row-major (for mask = shapes × one-hot). */
export function rigidShapeMatrix(): Float32Array {
  const m = new Float32Array(9 * RIGID_SHAPE_COUNT);
  RIGID_SHAPES_3X3.forEach((shape, s) =>
    shape.flat().forEach((v, t) => {
      m[t * RIGID_SHAPE_COUNT + s] = v;
    }),
  );
  return m;
}
