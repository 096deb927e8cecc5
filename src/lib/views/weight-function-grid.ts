/**
 * A 2-D weight function W(x_out, x_in) from its node matrix Λ [out nodes × in nodes], evaluated on any
 * grid by separable interpolation (the layers' own kernel and interpolation matrices, without tfjs):
 * W = A_out Λ A_inᵀ, A = interpolationMatrix(nodes, points). For drawing trained layers at any resolution.
 */
import type { InterpolationKernel } from "../math/interpolation.js";
import { interpolationMatrix } from "../math/sampling.js";

export interface NodeMatrix {
  rows: number;
  cols: number;
  values: ArrayLike<number>;
}

/** W at every (xOut[r], xIn[c]), row-major [xOut.length × xIn.length]. */
export function sampleWeightFunction2d(
  nodes: NodeMatrix,
  xOut: ArrayLike<number>,
  xIn: ArrayLike<number>,
  kernel: InterpolationKernel,
): Float64Array {
  if (nodes.values.length !== nodes.rows * nodes.cols)
    throw new Error(`sampleWeightFunction2d: ${nodes.values.length} node values for ${nodes.rows}×${nodes.cols}`);
  const aOut = interpolationMatrix(nodes.rows, xOut, kernel); // [xOut × rows]
  const aIn = interpolationMatrix(nodes.cols, xIn, kernel); // [xIn × cols]
  const R = xOut.length,
    C = xIn.length;
  // T = Λ A_inᵀ  [rows × C]
  const t = new Float64Array(nodes.rows * C);
  for (let j = 0; j < nodes.rows; j++)
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let k = 0; k < nodes.cols; k++)
        s += (nodes.values[j * nodes.cols + k] as number) * (aIn[c * nodes.cols + k] as number);
      t[j * C + c] = s;
    }
  const out = new Float64Array(R * C);
  for (let r = 0; r < R; r++)
    for (let j = 0; j < nodes.rows; j++) {
      const a = aOut[r * nodes.rows + j] as number;
      if (a === 0) continue;
      for (let c = 0; c < C; c++) out[r * C + c] = (out[r * C + c] as number) + a * (t[j * C + c] as number);
    }
  return out;
}
