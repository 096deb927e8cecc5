/**
 * Integral convolutions of any spatial shape: a rectangular kernel [kh, kw], per-axis strides, dilation, and
 * zero ("same"/"valid") padding, full or depth-wise. The channel mathematics is IntegralConv2d's and
 * IntegralDepthwiseConv2d's (sampling along the groups, quadrature along the input channels of a full conv);
 * only the spatial arguments are more general. Converted models (src/lib/convert) need them; the square,
 * undilated case keeps using the classes of layers.ts.
 */
import * as tf from "@tensorflow/tfjs-core";
import { sampleAxis } from "../math/sampling.js";
import type { ChannelGroups, GroupSizes } from "./groups.js";
import { IntegralLayer, type IntegralLayerKind, type IntegralLayerOptions, type LayerDescription } from "./layers.js";

export interface IntegralShapedConv2dOptions extends IntegralLayerOptions {
  kernel: [number, number];
  strides?: [number, number];
  dilations?: [number, number];
  padding?: "same" | "valid";
  /** Depth-wise: `inGroup` = `outGroup`, nodes [kh, kw, N, 1], no quadrature (nothing is integrated). */
  depthwise?: boolean;
}

/**
 * The kernel with d − 1 zero taps between its taps, [d(k − 1) + 1] per axis: the same convolution as the
 * dilated one, built from ops that have gradients (tfjs has no gradient for dilation > 1).
 */
export function dilateKernel(w: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  if (dh === 1 && dw === 1) return w;
  return tf.tidy(() => {
    const [kh, kw, i, o] = w.shape;
    const rows = tf.reshape(
      tf.pad(tf.reshape(w, [kh, 1, kw * i * o]), [
        [0, 0],
        [0, dh - 1],
        [0, 0],
      ]),
      [kh * dh * kw, 1, i * o],
    );
    const both = tf.reshape(
      tf.pad(rows, [
        [0, 0],
        [0, dw - 1],
        [0, 0],
      ]),
      [kh * dh, kw * dw, i, o],
    );
    return tf.slice(both, [0, 0, 0, 0], [dh * (kh - 1) + 1, dw * (kw - 1) + 1, i, o]) as tf.Tensor4D;
  });
}

export class IntegralShapedConv2d extends IntegralLayer {
  readonly kind: IntegralLayerKind;
  readonly kernel: [number, number];
  readonly strides: [number, number];
  readonly dilations: [number, number];
  readonly padding: "same" | "valid";
  readonly depthwise: boolean;

  constructor(groups: ChannelGroups, options: IntegralShapedConv2dOptions) {
    const [kh, kw] = options.kernel;
    for (const [what, v] of [
      ["kernel", options.kernel],
      ["strides", options.strides ?? [1, 1]],
      ["dilations", options.dilations ?? [1, 1]],
    ] as const)
      if (!v.every((x) => Number.isInteger(x) && x >= 1))
        throw new Error(`${options.id}: ${what} must be positive integers, got [${v}]`);
    const depthwise = options.depthwise ?? false;
    if (depthwise && options.inGroup !== options.outGroup)
      throw new Error(
        `${options.id}: a depth-wise conv has one group, got "${options.inGroup}" → "${options.outGroup}"`,
      );
    super(
      groups,
      options,
      depthwise
        ? [kh, kw, groups.nodesOf(options.inGroup), 1]
        : [kh, kw, groups.nodesOf(options.inGroup), groups.nodesOf(options.outGroup)],
    );
    this.kind = depthwise ? "depthwise-conv2d" : "conv2d";
    this.depthwise = depthwise;
    this.kernel = [kh, kw];
    this.strides = options.strides ? [...options.strides] : [1, 1];
    this.dilations = options.dilations ? [...options.dilations] : [1, 1];
    this.padding = options.padding ?? "same";
  }

  protected sampleWeight(sizes: GroupSizes): tf.Tensor {
    const inS = this.groups.sampling(this.inGroup, sizes);
    if (this.depthwise) return sampleAxis(this.weightNodes, 2, inS.matrix);
    const outS = this.groups.sampling(this.outGroup, sizes);
    return tf.tidy(() => {
      const w = sampleAxis(sampleAxis(this.weightNodes, 3, outS.matrix), 2, inS.matrix);
      return tf.mul(w, tf.reshape(inS.scale, [1, 1, -1, 1]));
    });
  }

  protected inputScaleShape(): number[] | null {
    return this.depthwise ? null : [1, 1, this.weightNodes.shape[2] as number, 1];
  }

  /** x [batch, h, w, in] → [batch, h', w', out]. */
  apply(x: tf.Tensor4D, sizes: GroupSizes, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const { weight, bias } = this.discreteWeights(sizes, training);
      const filter = dilateKernel(weight as tf.Tensor4D, this.dilations);
      const args = { x, filter, strides: this.strides, pad: this.padding, bias, activation: this.activation };
      return this.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
    });
  }

  describe(sizes: GroupSizes): LayerDescription {
    const i = this.groups.sizeOf(this.inGroup, sizes);
    const o = this.depthwise ? 1 : this.groups.sizeOf(this.outGroup, sizes);
    const macs = this.kernel[0] * this.kernel[1] * i * o;
    return this.describeWith(sizes, this.kernel, this.strides[0], macs, macs);
  }
}
