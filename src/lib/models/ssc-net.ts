/**
 * The reference skeleton with super-sparse convolutions: stage 1 a plain 3×3 conv (an SSC on one input
 * channel would be a 1×1 conv); stages 2 and 3 a dense point-wise conv (Cin → Cout, no bias) followed by a
 * 5×5 SSC layer (Cout → Cout, groups of 16 channels, 16 of the 25 taps per filter), as the SSC module of
 * the paper starts with a point-wise layer before its SSC layers.
 *
 * Why the point-wise layer: SSC straight on the previous stage's channels sees every input channel at one tap
 * shared by all filters (a fixed shift and a 1×1 conv); with the point-wise layer first each filter gets its
 * own mix of channels at 16 positions (measured in docs/experiments.md). Stage 3's point-wise layer mixes every
 * channel, so no shuffle is needed between the stages.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Model, ForwardContext, InputShape } from "../model.js";
import { SuperSparseConv2d } from "../kernel-shapes/ssc.js";
import { groupedPointwiseConv } from "../grouped/grouped-pointwise.js";
import { heNormalGroupWeights } from "../grouped/uneven-grouped-pointwise.js";
import { mulberry32, seededVariable, zerosVariable, reluPool, headLogits } from "./method-net-parts.js";

/** Stages 2 and 3: input and output channels. */
const SSC_STAGES = [
  [16, 32],
  [32, 64],
] as const;

export class SscNet implements Model {
  readonly name = "ssc";
  readonly conv1: tf.Variable;
  readonly conv1Bias: tf.Variable;
  /** Point-wise weights of stages 2 and 3, [1, Cin, Cout]. */
  readonly pointwise: tf.Variable[];
  readonly ssc: SuperSparseConv2d[];
  readonly denseWeight: tf.Variable;
  readonly denseBias: tf.Variable;

  constructor(input: InputShape, options: { seed?: number } = {}) {
    const random = mulberry32(options.seed ?? 1);
    this.conv1 = seededVariable(random, [3, 3, input.channels, 16], Math.sqrt(2 / (9 * input.channels)), "ssc_conv1_w");
    this.conv1Bias = zerosVariable([16], "ssc_conv1_b");
    this.pointwise = SSC_STAGES.map(([i, o], n) => heNormalGroupWeights(random, 1, i, o, `ssc_pw${n + 2}`));
    this.ssc = SSC_STAGES.map(
      ([, o], n) =>
        new SuperSparseConv2d({
          inChannels: o,
          outChannels: o,
          kernelSize: 5,
          groupSize: 16,
          random,
          name: `ssc${n + 2}`,
        }),
    );
    this.denseWeight = seededVariable(random, [64, input.classes], Math.sqrt(1 / 64), "ssc_dense_w");
    this.denseBias = zerosVariable([input.classes], "ssc_dense_b");
  }

  get trainableVariables(): tf.Variable[] {
    return [
      this.conv1,
      this.conv1Bias,
      ...this.pointwise,
      ...this.ssc.flatMap((s) => s.trainableVariables),
      this.denseWeight,
      this.denseBias,
    ];
  }

  apply(images: tf.Tensor4D, _context: ForwardContext): tf.Tensor2D {
    return tf.tidy(() => {
      let x = reluPool(tf.add(tf.conv2d(images, this.conv1 as tf.Tensor4D, 1, "same"), this.conv1Bias) as tf.Tensor4D);
      for (let s = 0; s < this.ssc.length; s++)
        x = reluPool(this.ssc[s].apply(groupedPointwiseConv(x, this.pointwise[s] as tf.Tensor3D)));
      return headLogits(x, this.denseWeight, this.denseBias);
    });
  }

  /** Parameters and multiply–accumulates per output pixel of stages 2 and 3 (point-wise + SSC each). */
  stageCosts(): { params: number; macsPerPixel: number }[] {
    return this.ssc.map((s, n) => {
      const [i, o] = SSC_STAGES[n];
      const c = s.cost();
      return { params: i * o + c.params, macsPerPixel: i * o + c.macsPerPixel };
    });
  }

  dispose(): void {
    tf.dispose([this.conv1, this.conv1Bias, ...this.pointwise, this.denseWeight, this.denseBias]);
    this.ssc.forEach((s) => s.dispose());
  }
}
