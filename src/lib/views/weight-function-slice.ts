/**
 * A one-dimensional slice of a trained 2-D weight function, x ↦ W(x_out, x) with x_out held fixed, as a
 * test integrand on [-1, 1]: evaluated by the layers' own separable interpolation, with its integral
 * computed exactly from the piecewise-polynomial interpolant (not by a fine rule, which would only be
 * "very accurate"). Lets the quadrature page measure the rules on a function a network actually learned.
 */
import type { InterpolationKernel } from "../math/interpolation.js";
import { gaussLegendre } from "../math/quadrature.js";
import { interpolationMatrix } from "../math/sampling.js";
import type { NodeMatrix } from "./weight-function-grid.js";

export interface WeightFunctionSlice {
  /** W(xOut, x) for x ∈ [-1, 1]. */
  f(x: number): number;
  /** ∫_{-1}^{1} W(xOut, x) dx, exact up to rounding. */
  exact: number;
  /** The slice's own nodes along x_in: c = (A_out Λ)[xOut, ·]; W(xOut, x) interpolates them. */
  nodes: Float64Array;
}

/**
 * The slice at output coordinate `xOut` ∈ [-1, 1] of the weight function with node matrix Λ [out × in].
 * Needs at least two input nodes (a single input channel gives no function of x_in).
 */
export function weightFunctionSlice(
  matrix: NodeMatrix,
  xOut: number,
  kernel: InterpolationKernel,
): WeightFunctionSlice {
  if (matrix.values.length !== matrix.rows * matrix.cols)
    throw new Error(`weightFunctionSlice: ${matrix.values.length} node values for ${matrix.rows}×${matrix.cols}`);
  if (matrix.cols < 2)
    throw new Error(
      `weightFunctionSlice: the layer has ${matrix.cols} input node(s); a slice along x_in needs at least 2`,
    );
  if (!(xOut >= -1 && xOut <= 1)) throw new Error(`weightFunctionSlice: x_out is ${xOut}, outside [-1, 1]`);
  const cols = matrix.cols;
  // Interpolating along x_out first leaves a 1-D node vector along x_in (interpolation is separable).
  const aOut = interpolationMatrix(matrix.rows, [xOut], kernel);
  const nodes = new Float64Array(cols);
  for (let j = 0; j < matrix.rows; j++) {
    const a = aOut[j] as number;
    if (a === 0) continue;
    for (let k = 0; k < cols; k++) nodes[k] = (nodes[k] as number) + a * (matrix.values[j * cols + k] as number);
  }
  const f = (x: number): number => {
    const row = interpolationMatrix(cols, [x], kernel);
    let s = 0;
    for (let k = 0; k < cols; k++) s += (row[k] as number) * (nodes[k] as number);
    return s;
  };
  // Between breakpoints (node coordinates, and the half-way points where the nearest kernel jumps) the
  // interpolant is a polynomial of degree ≤ 3, so 3-point Gauss–Legendre on each piece is exact.
  const gauss = gaussLegendre(3);
  const pieces = 2 * (cols - 1);
  const h = 2 / pieces;
  let exact = 0;
  for (let p = 0; p < pieces; p++) {
    const mid = -1 + (p + 0.5) * h;
    for (let g = 0; g < 3; g++)
      exact += (gauss.weights[g] as number) * (h / 2) * f(mid + (gauss.nodes[g] as number) * (h / 2));
  }
  return { f, exact, nodes };
}
