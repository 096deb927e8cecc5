/**
 * What each supported Keras / tfjs layer computes, read from its config into a small spec, or the reason
 * it cannot convert (an unsupported class, or a supported class with an option the plan cannot express).
 * The converter collects every reason before failing, so one error lists all the layers to change.
 */
import type { ElementwiseFunction, PlanPadding } from "../graph/plan.js";
import type { KerasLayer } from "./topology.js";
import { KERAS_ACTIVATION_NAMES } from "../graph/elementwise.js";

/** Layer classes that convert (InputLayer is the model's input). */
export const SUPPORTED_LAYERS = [
  "InputLayer",
  "Conv2D",
  "DepthwiseConv2D",
  "SeparableConv2D",
  "Dense",
  "BatchNormalization",
  "Activation",
  "ReLU",
  "LeakyReLU",
  "Softmax",
  "MaxPooling2D",
  "AveragePooling2D",
  "GlobalAveragePooling2D",
  "GlobalMaxPooling2D",
  "Flatten",
  "Add",
  "Concatenate",
  "ZeroPadding2D",
  "Rescaling",
  "Dropout",
  "SpatialDropout2D",
] as const;

export type LayerActivation =
  | { fn: "linear" }
  | { fn: "relu" }
  | { fn: "softmax" }
  | { fn: ElementwiseFunction; alpha?: number; maxValue?: number; threshold?: number };

interface ConvShape {
  kernel: [number, number];
  strides: [number, number];
  dilation: [number, number];
  padding: PlanPadding;
  bias: boolean;
  activation: LayerActivation;
}

export type LayerSpec =
  | ({ kind: "conv"; filters: number } & ConvShape)
  | ({ kind: "depthwise" } & ConvShape)
  | ({ kind: "separable"; filters: number } & ConvShape)
  | { kind: "dense"; units: number; bias: boolean; activation: LayerActivation }
  | { kind: "batch-norm"; epsilon: number; center: boolean; scale: boolean }
  | { kind: "activation"; activation: LayerActivation }
  | { kind: "pool"; mode: "max" | "avg"; size: [number, number]; strides: [number, number]; padding: PlanPadding }
  | { kind: "global-pool"; mode: "max" | "avg" }
  | { kind: "flatten" }
  | { kind: "add" }
  | { kind: "concat" }
  | { kind: "zero-pad"; padding: [[number, number], [number, number]] }
  | { kind: "rescale"; scale: number; offset: number }
  | { kind: "identity" };

/** Keras activation names (and tfjs's camel-case and Keras 3's aliases) → the plan's element-wise functions. */
const ELEMENTWISE: Record<string, ElementwiseFunction> = {
  ...Object.fromEntries(
    Object.entries(KERAS_ACTIVATION_NAMES).map(([fn, name]) => [name as string, fn as ElementwiseFunction]),
  ),
  hardSigmoid: "hard-sigmoid",
  silu: "swish",
};

/** A config problem: thrown inside a reader, caught per layer and listed. */
class Unsupported extends Error {}

const reject = (why: string): never => {
  throw new Unsupported(why);
};

function int(config: Record<string, unknown>, key: string, fallback?: number): number {
  const v = config[key] ?? fallback;
  if (!Number.isInteger(v) || (v as number) < 1) return reject(`${key} ${JSON.stringify(v)} is not a positive integer`);
  return v as number;
}

function pairOf(config: Record<string, unknown>, key: string, fallback?: number | [number, number]): [number, number] {
  const v = config[key] ?? fallback;
  const p = typeof v === "number" ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => Number.isInteger(x) && x >= 1))
    return reject(`${key} ${JSON.stringify(v)} is not one or two positive integers`);
  return [p[0], p[1]];
}

function padding(config: Record<string, unknown>, fallback: PlanPadding = "valid"): PlanPadding {
  const p = config.padding ?? fallback;
  if (p !== "same" && p !== "valid") return reject(`padding ${JSON.stringify(p)} (only "same" and "valid" convert)`);
  return p;
}

function channelsLast(config: Record<string, unknown>): void {
  const f = config.data_format;
  if (f !== undefined && f !== null && f !== "channels_last")
    reject(`data_format ${JSON.stringify(f)} (channels_last only)`);
}

function bool(config: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = config[key] ?? fallback;
  if (typeof v !== "boolean") return reject(`${key} ${JSON.stringify(v)} is not true or false`);
  return v;
}

/** An activation given by name (conv, dense and Activation layers). */
export function activationOf(name: unknown): LayerActivation {
  if (name === undefined || name === null || name === "linear") return { fn: "linear" };
  if (name === "relu" || name === "softmax") return { fn: name };
  if (typeof name === "string" && ELEMENTWISE[name]) return { fn: ELEMENTWISE[name] };
  return reject(`activation ${JSON.stringify(name)}`);
}

function convShape(config: Record<string, unknown>): ConvShape {
  channelsLast(config);
  const strides = pairOf(config, "strides", 1);
  const dilation = pairOf(config, "dilation_rate", 1);
  if (strides.some((s) => s > 1) && dilation.some((d) => d > 1)) reject("strides > 1 together with dilation > 1");
  return {
    kernel: pairOf(config, "kernel_size"),
    strides,
    dilation,
    padding: padding(config),
    bias: bool(config, "use_bias", true),
    activation: activationOf(config.activation),
  };
}

function depthMultiplierOne(config: Record<string, unknown>): void {
  const m = config.depth_multiplier ?? 1;
  if (m !== 1) reject(`depth_multiplier ${JSON.stringify(m)} (a depth-wise conv must keep its channels: 1 only)`);
}

function readSpec(className: string, c: Record<string, unknown>): LayerSpec {
  switch (className) {
    case "Conv2D": {
      if ((c.groups ?? 1) !== 1) reject(`groups ${JSON.stringify(c.groups)} (grouped convolution)`);
      return { kind: "conv", filters: int(c, "filters"), ...convShape(c) };
    }
    case "DepthwiseConv2D":
      depthMultiplierOne(c);
      return { kind: "depthwise", ...convShape(c) };
    case "SeparableConv2D":
      depthMultiplierOne(c);
      return { kind: "separable", filters: int(c, "filters"), ...convShape(c) };
    case "Dense":
      return {
        kind: "dense",
        units: int(c, "units"),
        bias: bool(c, "use_bias", true),
        activation: activationOf(c.activation),
      };
    case "BatchNormalization": {
      const axis = Array.isArray(c.axis) && c.axis.length === 1 ? c.axis[0] : (c.axis ?? -1);
      if (axis !== -1 && axis !== 3) reject(`axis ${JSON.stringify(c.axis)} (the channel axis, -1, only)`);
      const epsilon = c.epsilon ?? 1e-3;
      if (typeof epsilon !== "number" || !(epsilon > 0)) reject(`epsilon ${JSON.stringify(c.epsilon)}`);
      return {
        kind: "batch-norm",
        epsilon: epsilon as number,
        center: bool(c, "center", true),
        scale: bool(c, "scale", true),
      };
    }
    case "Activation":
      return { kind: "activation", activation: activationOf(c.activation) };
    case "ReLU": {
      const max = c.max_value ?? null;
      const slope = c.negative_slope ?? 0;
      const threshold = c.threshold ?? 0;
      if (max !== null && !(typeof max === "number" && max > 0)) reject(`max_value ${JSON.stringify(max)}`);
      if (typeof slope !== "number" || typeof threshold !== "number")
        reject("negative_slope and threshold must be numbers");
      if (slope === 0 && threshold === 0)
        return {
          kind: "activation",
          activation:
            max === null
              ? { fn: "relu" }
              : max === 6
                ? { fn: "relu6" }
                : { fn: "clipped-relu", maxValue: max as number },
        };
      return {
        kind: "activation",
        activation: {
          fn: "clipped-relu",
          alpha: slope as number,
          threshold: threshold as number,
          ...(max === null ? {} : { maxValue: max as number }),
        },
      };
    }
    case "LeakyReLU": {
      const alpha = c.alpha ?? c.negative_slope ?? 0.3;
      if (typeof alpha !== "number") reject(`alpha ${JSON.stringify(alpha)}`);
      return { kind: "activation", activation: { fn: "leaky-relu", alpha: alpha as number } };
    }
    case "Softmax":
      // tfjs writes axis 1: the class axis of a [batch, classes] output, the only place a softmax converts.
      if (c.axis !== undefined && c.axis !== -1 && c.axis !== 1)
        reject(`axis ${JSON.stringify(c.axis)} (the class axis only)`);
      return { kind: "activation", activation: { fn: "softmax" } };
    case "MaxPooling2D":
    case "AveragePooling2D": {
      channelsLast(c);
      const size = pairOf(c, "pool_size", 2);
      return {
        kind: "pool",
        mode: className === "MaxPooling2D" ? "max" : "avg",
        size,
        strides: c.strides === null || c.strides === undefined ? size : pairOf(c, "strides"),
        padding: padding(c),
      };
    }
    case "GlobalAveragePooling2D":
    case "GlobalMaxPooling2D":
      channelsLast(c);
      if (c.keepdims === true) reject("keepdims true (the pooled vector only)");
      return { kind: "global-pool", mode: className === "GlobalMaxPooling2D" ? "max" : "avg" };
    case "Flatten":
      channelsLast(c);
      return { kind: "flatten" };
    case "Add":
      return { kind: "add" };
    case "Concatenate":
      if ((c.axis ?? -1) !== -1 && c.axis !== 3) reject(`axis ${JSON.stringify(c.axis)} (channels, -1, only)`);
      return { kind: "concat" };
    case "ZeroPadding2D": {
      channelsLast(c);
      const p = c.padding ?? 1;
      const ok = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
      if (ok(p))
        return {
          kind: "zero-pad",
          padding: [
            [p as number, p as number],
            [p as number, p as number],
          ],
        };
      if (Array.isArray(p) && p.length === 2 && p.every(ok))
        return {
          kind: "zero-pad",
          padding: [
            [p[0], p[0]],
            [p[1], p[1]],
          ],
        };
      if (Array.isArray(p) && p.length === 2 && p.every((q) => Array.isArray(q) && q.length === 2 && q.every(ok)))
        return {
          kind: "zero-pad",
          padding: [
            [p[0][0], p[0][1]],
            [p[1][0], p[1][1]],
          ],
        };
      return reject(`padding ${JSON.stringify(p)}`);
    }
    case "Rescaling": {
      const scale = c.scale ?? 1;
      const offset = c.offset ?? 0;
      if (typeof scale !== "number" || typeof offset !== "number")
        reject("scale and offset must be single numbers (per-channel rescaling does not convert)");
      return { kind: "rescale", scale: scale as number, offset: offset as number };
    }
    case "Dropout":
    case "SpatialDropout2D":
      return { kind: "identity" };
    default:
      return reject("not a supported layer");
  }
}

/** The spec of `layer`, or the reason it cannot convert. */
export function readLayerSpec(layer: KerasLayer): LayerSpec | { unsupported: string } {
  try {
    return readSpec(layer.className, layer.config);
  } catch (e) {
    if (e instanceof Unsupported) return { unsupported: e.message };
    throw e;
  }
}
