/**
 * The reference skeleton with separable stages whose point-wise part is an IGPC layer: stage 1 a plain
 * 3×3 conv, stages 2 and 3 a depth-wise 5×5 conv followed by IGPC 16→32 and 32→64 (Ch = 8, layer L
 * forced on although the layers expand, so the interleave is exercised).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Model, ForwardContext, InputShape } from "../model.js";
import { InterleavedGroupedPointwise } from "../grouped/igpc.js";
import { mulberry32, seededVariable, zerosVariable, reluPool, headLogits } from "./method-net-parts.js";

export class IgpcNet implements Model {
  readonly name = "igpc";
  readonly conv1: tf.Variable;
  readonly conv1Bias: tf.Variable;
  readonly depthwise: tf.Variable[];
  readonly pointwise: InterleavedGroupedPointwise[];
  readonly denseWeight: tf.Variable;
  readonly denseBias: tf.Variable;

  constructor(input: InputShape, options: { seed?: number; channelsPerGroup?: number } = {}) {
    const random = mulberry32(options.seed ?? 1);
    const ch = options.channelsPerGroup ?? 8;
    this.conv1 = seededVariable(
      random,
      [3, 3, input.channels, 16],
      Math.sqrt(2 / (9 * input.channels)),
      "igpc_conv1_w",
    );
    this.conv1Bias = zerosVariable([16], "igpc_conv1_b");
    this.depthwise = [16, 32].map((c, i) => seededVariable(random, [5, 5, c, 1], Math.sqrt(2 / 25), `igpc_dw${i + 2}`));
    this.pointwise = [
      [16, 32],
      [32, 64],
    ].map(
      ([i, o], n) => new InterleavedGroupedPointwise(i, o, ch, { random, interGroup: "always", name: `igpc${n + 2}` }),
    );
    this.denseWeight = seededVariable(random, [64, input.classes], Math.sqrt(1 / 64), "igpc_dense_w");
    this.denseBias = zerosVariable([input.classes], "igpc_dense_b");
  }

  get trainableVariables(): tf.Variable[] {
    return [
      this.conv1,
      this.conv1Bias,
      ...this.depthwise,
      ...this.pointwise.flatMap((p) => p.trainableVariables),
      this.denseWeight,
      this.denseBias,
    ];
  }

  apply(images: tf.Tensor4D, _context: ForwardContext): tf.Tensor2D {
    return tf.tidy(() => {
      let x = reluPool(tf.add(tf.conv2d(images, this.conv1 as tf.Tensor4D, 1, "same"), this.conv1Bias) as tf.Tensor4D);
      for (let s = 0; s < 2; s++) {
        x = reluPool(this.pointwise[s].apply(tf.depthwiseConv2d(x, this.depthwise[s] as tf.Tensor4D, 1, "same")));
      }
      return headLogits(x, this.denseWeight, this.denseBias);
    });
  }

  dispose(): void {
    tf.dispose([this.conv1, this.conv1Bias, ...this.depthwise, this.denseWeight, this.denseBias]);
    this.pointwise.forEach((p) => p.dispose());
  }
}
