/**
 * What the playground draws of one hidden layer's weight function: the layer that reads hidden axis k
 * integrates over it, so along that axis its weights are functions W(x_o, x) of the input coordinate x,
 * one per output channel o. For a few output channels of the layer at the current sizes (the two classes,
 * when the next layer is the output) it gives the nodes, the interpolated function on a fine grid, its samples at the current size
 * and the discrete weights W(x_o, x_i)·q_i·V they become, with the quadrature factors q_i·V — all read
 * from the net's own groups (the matrices and scales its layers use).
 */
import type { GroupSizes } from "../integral/groups.js";
import type { IntegralMlp } from "../models/integral-mlp.js";
import { uniformPartition } from "../math/partition.js";
import { interpolationMatrix } from "../math/sampling.js";
import { channelRoughness } from "../integral/smoothness.js";

export interface WeightFunctionRow {
  /** Output channel of the discrete layer at the current sizes (a class, or a channel of the next hidden layer). */
  output: number;
  /** The row's nodes along the axis (the layer's nodes interpolated to this output channel). */
  nodes: Float64Array;
  /** W(x_o, x) at `curveX`. */
  curve: Float64Array;
  /** W(x_o, x_i) at the current partition points. */
  samples: Float64Array;
  /** The discrete layer's weights W(x_o, x_i)·q_i·V. */
  weights: Float64Array;
}

export interface WeightFunctionView {
  /** Hidden group of the axis ("h1" …) and the layer that integrates over it. */
  group: string;
  layer: string;
  /** True when the layer is the output layer (rows are classes). */
  outputLayer: boolean;
  /** Node coordinates (uniform on [-1, 1]). */
  nodeX: Float64Array;
  curveX: Float64Array;
  /** Partition points at the current size, and their factors q_i·V. */
  points: Float64Array;
  quadrature: Float64Array;
  rows: WeightFunctionRow[];
  /** Relative roughness of the layer's nodes along this axis (integral/smoothness.ts: white noise ≈ 2, constant 0). */
  roughness: number;
}

/**
 * The weight functions along hidden axis `hiddenIndex` (0-based) of `net` at `sizes`. Rows: every class
 * when the next layer is the output layer, else the first, middle and last output channel.
 */
export function mlpWeightFunction(
  net: IntegralMlp,
  hiddenIndex: number,
  sizes: GroupSizes,
  curvePoints = 161,
): WeightFunctionView {
  if (!Number.isInteger(hiddenIndex) || hiddenIndex < 0 || hiddenIndex >= net.hiddenIds.length)
    throw new Error(`mlpWeightFunction: hidden layer ${hiddenIndex + 1} of ${net.hiddenIds.length} does not exist`);
  const group = net.hiddenIds[hiddenIndex];
  const layer = net.layers[hiddenIndex + 1];
  const [nIn, nOut] = layer.weightNodes.shape as [number, number];
  const nodes = layer.weightNodes.dataSync();
  const sampling = net.groups.sampling(group, sizes);
  const matrix = sampling.matrix.dataSync();
  const scale = sampling.scale.dataSync();
  const m = sampling.matrix.shape[0];
  const outputLayer = hiddenIndex === net.hiddenIds.length - 1;
  // Rows are output channels of the discrete layer at these sizes: the output axis is interpolated too.
  const outSampling = net.groups.sampling(layer.outGroup, sizes).matrix;
  const mOut = outSampling.shape[0];
  const outMatrix = outSampling.dataSync();
  const outputs = outputLayer
    ? Array.from({ length: mOut }, (_, o) => o)
    : [...new Set([0, Math.floor((mOut - 1) / 2), mOut - 1])];
  const curveX = uniformPartition(curvePoints);
  const fine = interpolationMatrix(nIn, curveX, net.groups.axisSampling(group).kernel);
  const rows = outputs.map((o) => {
    const column = Float64Array.from({ length: nIn }, (_, j) => {
      let s = 0;
      for (let k = 0; k < nOut; k++) s += outMatrix[o * nOut + k] * nodes[j * nOut + k];
      return s;
    });
    const apply = (mat: ArrayLike<number>, rowsCount: number) =>
      Float64Array.from({ length: rowsCount }, (_, r) => {
        let s = 0;
        for (let j = 0; j < nIn; j++) s += mat[r * nIn + j] * column[j];
        return s;
      });
    const samples = apply(matrix, m);
    return {
      output: o,
      nodes: column,
      curve: apply(fine, curvePoints),
      samples,
      weights: samples.map((v, i) => v * scale[i]),
    };
  });
  return {
    group,
    layer: layer.id,
    outputLayer,
    nodeX: uniformPartition(nIn),
    curveX,
    points: Float64Array.from(net.groups.points(group, sizes[group])),
    quadrature: Float64Array.from(scale),
    rows,
    roughness: roughnessAlong(layer, group),
  };
}

function roughnessAlong(layer: Parameters<typeof channelRoughness>[0], group: string): number {
  const r = channelRoughness(layer, new Set([group]));
  const value = r.dataSync()[0];
  r.dispose();
  return value;
}
