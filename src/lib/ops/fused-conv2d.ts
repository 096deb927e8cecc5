/**
 * A fused convolution (+ bias, ReLU) that stays one kernel in training. tf.fused.conv2d splits itself into
 * Conv2D, Add and Relu whenever gradients are recorded (and its ReLU gradient adds a Cast copy); this op
 * always runs the FusedConv2D kernel and registers that kernel's gradient: ReLU mask, then the two conv
 * backprops and the bias sum, each computed only for the inputs that need it (the first layer's images
 * get no input gradient).
 */
import * as tf from "@tensorflow/tfjs-core";

export type FusedConvActivation = "linear" | "relu";

export interface TrainableConv2dArgs {
  x: tf.Tensor4D;
  filter: tf.Tensor4D;
  bias?: tf.Tensor1D;
  strides?: number | [number, number];
  pad: "valid" | "same" | number;
  activation?: FusedConvActivation;
}

interface FusedConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number;
  dataFormat: "NHWC";
  dilations: [number, number];
  activation: FusedConvActivation;
}

tf.registerGradient({
  kernelName: tf.FusedConv2D,
  inputsToSave: ["x", "filter"],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const a = attrs as unknown as FusedConvAttrs;
    if (a.activation !== "linear" && a.activation !== "relu") {
      throw new Error(`FusedConv2D gradient: activation "${a.activation}" is not supported (linear, relu)`);
    }
    const dilations = typeof a.dilations === "number" ? [a.dilations, a.dilations] : a.dilations;
    if (dilations.some((d) => d !== 1)) throw new Error("FusedConv2D gradient: dilations must be 1");
    // The ReLU mask once, shared by the three gradients (step(y) = 1 exactly where the pre-activation > 0).
    // Computed here, not in a thunk: each thunk runs in its own tidy, which would free it for the next.
    const g = a.activation === "relu" ? tf.mul(dy as tf.Tensor4D, tf.step(y)) : (dy as tf.Tensor4D);
    const conv = { strides: a.strides, pad: a.pad, dataFormat: "NHWC" };
    return {
      x: () => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: g, filter }, { ...conv, inputShape: x.shape }),
      filter: () =>
        tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: g }, { ...conv, filterShape: filter.shape }),
      bias: () => tf.sum(g, [0, 1, 2]),
    } as unknown as Record<string, () => tf.Tensor>;
  },
});

/** activation(conv2d(x, filter) + bias) as one FusedConv2D kernel, differentiable in x, filter and bias. */
export function trainableConv2d({
  x,
  filter,
  bias,
  strides = 1,
  pad,
  activation = "linear",
}: TrainableConv2dArgs): tf.Tensor4D {
  const inputs: tf.NamedTensorMap = bias === undefined ? { x, filter } : { x, filter, bias };
  const attrs = { strides, pad, dataFormat: "NHWC", dilations: [1, 1], dimRoundingMode: undefined, activation };
  return tf.engine().runKernel(tf.FusedConv2D, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
