/**
 * A stride-1 convolution of an edge-padded input, `conv2d(edgePad(x, p), W, "valid")` + bias + activation,
 * with its own input gradient.
 *
 * Why: through autodiff, the input gradient is a "full" transposed convolution over the *padded* input
 * (18×18 positions for the reference net's 14×14 conv2, 11×11 for its 7×7 conv3: 1.7× and 2.5× the forward
 * work), followed by summing the replicated border back. But edge padding only repeats border pixels, so
 * that border work folds into a few thin strips: per axis, dx = (zero-padded transposed conv on the H
 * interior positions) + (one extra row at each edge whose filter is a prefix / suffix sum of p filter rows).
 * Rows × columns gives 9 pieces: the interior, 4 edges and 4 corners, each a transposed convolution of a
 * slice of dy. On the reference shapes this is about half the arithmetic of the autodiff path.
 *
 * Per axis (stride 1, kernel K, pad p, output Ho = H + 2p − K + 1), with y[o] = Σ_k x[clamp(o + k − p)]·W[k]:
 *   dx[j]  = Σ_{o + k − p = j} dy[o]·W[k]                                  (interior, zero padding)
 *   dx[0] += Σ_{o < p} dy[o]·F[p − 1 − o],        F[m] = Σ_{k ≤ m} W[k]          (top: prefix sums)
 *   dx[H−1] += Σ_{a < p} dy[Ho − 1 − a]·G[a],     G[m] = Σ_{k ≥ K − p + m} W[k]  (bottom: suffix sums)
 */
import * as tf from "@tensorflow/tfjs-core";
import { EdgePad, edgePad } from "./edge-pad.js";
import { trainableConv2d } from "./fused-conv2d.js";

export type ConvActivation = "linear" | "relu";

export interface EdgePaddedConv2dArgs {
  /** Input [batch, height, width, inChannels]. */
  x: tf.Tensor4D;
  /** Square filter [k, k, inChannels, outChannels]. */
  filter: tf.Tensor4D;
  /** Bias [outChannels] (optional). */
  bias?: tf.Tensor1D;
  /** Edge padding on every side, in pixels. */
  pad: number;
  activation?: ConvActivation;
  /**
   * Take the folded input gradient (default true). False for a layer whose input needs no gradient (one that
   * reads the images): a custom gradient always computes it, while autodiff through edgePad + conv skips it.
   */
  foldedGradient?: boolean;
}

/** One axis of the fold: which dy slice, which filter rows (transformed), and the padding of that piece. */
interface AxisPiece {
  /** dy range [begin, begin + size) along this axis. */
  begin: number;
  size: number;
  /** The filter along this axis: as is, prefix sums or suffix sums of its first / last p rows. */
  filter: "identity" | "prefix" | "suffix";
  /** Output length of the piece (the interior: H; an edge: 1) and where it lands in dx. */
  out: number;
  at: number;
  padBefore: number;
  padAfter: number;
}

function axisPieces(h: number, k: number, p: number): AxisPiece[] {
  const ho = h + 2 * p - k + 1;
  const interior: AxisPiece = {
    begin: 0,
    size: ho,
    filter: "identity",
    out: h,
    at: 0,
    padBefore: p,
    padAfter: ho + k - 1 - h - p,
  };
  if (p === 0) return [interior];
  return [
    interior,
    { begin: 0, size: p, filter: "prefix", out: 1, at: 0, padBefore: p - 1, padAfter: p - 1 },
    { begin: ho - p, size: p, filter: "suffix", out: 1, at: h - 1, padBefore: p - 1, padAfter: p - 1 },
  ];
}

/** The filter along `axis` (0: rows, 1: columns) as a piece needs it. */
function transformFilter(w: tf.Tensor4D, axis: 0 | 1, kind: AxisPiece["filter"], p: number): tf.Tensor4D {
  if (kind === "identity") return w;
  const k = w.shape[axis];
  const sums = tf.cumsum(w, axis, false, kind === "suffix");
  const begin = [0, 0, 0, 0];
  const size = [...w.shape];
  begin[axis] = kind === "prefix" ? 0 : k - p;
  size[axis] = p;
  return tf.slice(sums, begin, size) as tf.Tensor4D;
}

/** Gradient with respect to x of conv2d(edgePad(x, p), w, 1, "valid"), for the gradient `dy` of its output. */
export function edgePaddedConv2dInputGradient(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  inputShape: [number, number, number, number],
  p: number,
): tf.Tensor4D {
  const [batch, h, wd, inChannels] = inputShape;
  const k = w.shape[0];
  return tf.tidy(() => {
    const rows = axisPieces(h, k, p);
    const cols = axisPieces(wd, k, p);
    const rowFilters = rows.map((r) => transformFilter(w, 0, r.filter, p));
    let dx: tf.Tensor4D | undefined;
    for (const [ri, r] of rows.entries()) {
      for (const c of cols) {
        const f = transformFilter(rowFilters[ri], 1, c.filter, p);
        const slice = tf.slice(dy, [0, r.begin, c.begin, 0], [batch, r.size, c.size, dy.shape[3]]);
        const piece = tf.engine().runKernel(
          tf.Conv2DBackpropInput,
          { dy: slice, filter: f },
          {
            inputShape: [batch, r.out, c.out, inChannels],
            strides: [1, 1],
            pad: [
              [0, 0],
              [r.padBefore, r.padAfter],
              [c.padBefore, c.padAfter],
              [0, 0],
            ],
            dataFormat: "NHWC",
          },
        ) as tf.Tensor4D;
        const placed: tf.Tensor4D =
          r.out === h && c.out === wd
            ? piece
            : tf.pad(piece, [
                [0, 0],
                [r.at, h - r.at - r.out],
                [c.at, wd - c.at - c.out],
                [0, 0],
              ]);
        dx = dx === undefined ? placed : tf.add(dx, placed);
      }
    }
    return dx!;
  });
}

/**
 * `activation(conv2d(edgePad(x, pad), filter, 1, "valid") + bias)`, differentiable in x, filter and bias, with
 * the folded input gradient above (unless `foldedGradient` is false). The forward pass is one fused
 * convolution kernel either way, in training too (ops/fused-conv2d.ts).
 */
export function edgePaddedConv2d({
  x,
  filter,
  bias,
  pad,
  activation = "linear",
  foldedGradient = true,
}: EdgePaddedConv2dArgs): tf.Tensor4D {
  if (!Number.isInteger(pad) || pad < 0)
    throw new Error(`edgePaddedConv2d: pad must be a non-negative integer, got ${pad}`);
  const [kh, kw] = filter.shape;
  if (kh !== kw) throw new Error(`edgePaddedConv2d: the filter must be square, got ${kh}×${kw}`);
  const [, h, w] = x.shape;
  const ho = h + 2 * pad - kh + 1;
  // The fold needs every edge strip inside dy and at most k filter rows per prefix / suffix sum (the
  // reference net: k = 2p + 1, so Ho = H); anything else takes autodiff through the pad. So does a backend
  // with a single-kernel edge pad (the native engine): one transposed conv over the padded input and one
  // fold kernel beat the fold's nine small convolutions and their slices there (docs/experiments.md).
  const singleKernelPad = tf.getKernel(EdgePad, tf.getBackend()) !== undefined;
  if (
    !foldedGradient ||
    singleKernelPad ||
    pad > kh ||
    ho < Math.max(pad, 1) ||
    w + 2 * pad - kw + 1 < Math.max(pad, 1)
  ) {
    return tf.tidy(() => trainableConv2d({ x: edgePad(x, pad), filter, pad: "valid", bias, activation }));
  }
  // customGrad passes `save` after the tensors, so its arity follows whether there is a bias.
  const op = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [xIn, filterIn, biasIn] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D | undefined];
    const padded = edgePad(xIn, pad);
    const y = trainableConv2d({ x: padded, filter: filterIn, pad: "valid", bias: biasIn, activation });
    save([padded, filterIn, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [paddedX, f, out] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const g: tf.Tensor4D = activation === "relu" ? tf.mul(dy, tf.step(out)) : dy;
        const dFilter = tf.engine().runKernel(
          tf.Conv2DBackpropFilter,
          { x: paddedX, dy: g },
          {
            strides: [1, 1],
            pad: "valid",
            dataFormat: "NHWC",
            filterShape: f.shape,
          },
        ) as tf.Tensor4D;
        const dx = edgePaddedConv2dInputGradient(g, f, xIn.shape, pad);
        return biasIn === undefined ? [dx, dFilter] : [dx, dFilter, tf.sum(g, [0, 1, 2])];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (bias === undefined ? op(x, filter) : op(x, filter, bias)) as tf.Tensor4D;
}
