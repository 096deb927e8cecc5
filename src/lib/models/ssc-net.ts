/**
 * The reference skeleton with super-sparse convolutions: stage 1 a plain 3×3 conv (an SSC on one input
 * channel would be a 1×1 conv), stages 2 and 3 5×5 SSC layers (groups of 16 channels, ≤ 25 taps), with a
 * channel shuffle before stage 3 so its groups mix stage 2's.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Model, ForwardContext, InputShape } from "../model.js";
import { SuperSparseConv2d } from "../kernel-shapes/ssc.js";
import { ChannelPermutation, interleavePermutation } from "../grouped/interleave.js";
import { mulberry32, seededVariable, zerosVariable, reluPool, headLogits } from "./method-net-parts.js";

export class SscNet implements Model {
  readonly name = "ssc";
  readonly conv1: tf.Variable;
  readonly conv1Bias: tf.Variable;
  readonly ssc2: SuperSparseConv2d;
  readonly ssc3: SuperSparseConv2d;
  readonly shuffle: ChannelPermutation;
  readonly denseWeight: tf.Variable;
  readonly denseBias: tf.Variable;

  constructor(input: InputShape, options: { seed?: number } = {}) {
    const random = mulberry32(options.seed ?? 1);
    this.conv1 = seededVariable(random, [3, 3, input.channels, 16], Math.sqrt(2 / (9 * input.channels)), "ssc_conv1_w");
    this.conv1Bias = zerosVariable([16], "ssc_conv1_b");
    this.ssc2 = new SuperSparseConv2d({ inChannels: 16, outChannels: 32, kernelSize: 5, groupSize: 16, random, name: "ssc2" });
    this.shuffle = new ChannelPermutation(interleavePermutation(32, 16));
    this.ssc3 = new SuperSparseConv2d({ inChannels: 32, outChannels: 64, kernelSize: 5, groupSize: 16, random, name: "ssc3" });
    this.denseWeight = seededVariable(random, [64, input.classes], Math.sqrt(1 / 64), "ssc_dense_w");
    this.denseBias = zerosVariable([input.classes], "ssc_dense_b");
  }

  get trainableVariables(): tf.Variable[] {
    return [this.conv1, this.conv1Bias, ...this.ssc2.trainableVariables, ...this.ssc3.trainableVariables, this.denseWeight, this.denseBias];
  }

  apply(images: tf.Tensor4D, _context: ForwardContext): tf.Tensor2D {
    return tf.tidy(() => {
      let x = reluPool(tf.add(tf.conv2d(images, this.conv1 as tf.Tensor4D, 1, "same"), this.conv1Bias) as tf.Tensor4D);
      x = reluPool(this.ssc2.apply(x));
      x = reluPool(this.ssc3.apply(this.shuffle.apply(x)));
      return headLogits(x, this.denseWeight, this.denseBias);
    });
  }

  dispose(): void {
    tf.dispose([this.conv1, this.conv1Bias, this.denseWeight, this.denseBias]);
    this.ssc2.dispose();
    this.ssc3.dispose();
    this.shuffle.dispose();
  }
}
