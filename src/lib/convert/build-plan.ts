/**
 * A layers model's graph as a network plan: one plan node per layer (a SeparableConv2D becomes a depth-wise
 * and a point-wise node, a fused activation its own node, Dropout and linear activations none), groups
 * inferred on the way (channel-union.ts), and for every plan parameter the model weight it comes from.
 * The image channels and the class outputs stay fixed; every other group is resizable. A softmax on the
 * class outputs is left out of the plan (the plan ends with logits) and reported.
 */
import { CLASSES_GROUP, IMAGE_GROUP, PlanBuilder, type NetworkPlan, type NodeOp } from "../graph/plan.js";
import { nodeOutputShape } from "../graph/describe-plan.js";
import type { InputShape } from "../model.js";
import { ChannelUnion, type ChannelTerm } from "./channel-union.js";
import { readLayerSpec, SUPPORTED_LAYERS, type LayerActivation, type LayerSpec } from "./layer-specs.js";
import { layerLabel, type KerasLayer, type LayersTopology } from "./topology.js";

/** Where a plan parameter's values come from: a weight of a model layer, or a constant. */
export interface WeightSource {
  parameter: string;
  layer: KerasLayer;
  /** The layer's weight ("kernel", "bias", "gamma" …); absent for a constant. */
  weight?: string;
  /** Constant value (a batch norm without scale or center). */
  fill?: number;
  /** Keras stores a dense kernel over a flattened map as [h·w·c, out]; the plan as [h, w, c, out]. */
  flattened?: boolean;
}

export interface LayersPlan {
  plan: NetworkPlan;
  sources: WeightSource[];
  /** The model ends with a softmax, which the plan leaves out (the plan's output is its input, the logits). */
  outputSoftmax: boolean;
  /** The plan nodes of each layer (none for dropped layers), in model order. */
  layers: { name: string; className: string; position: number; nodes: string[] }[];
}

export interface BuildPlanOptions {
  /** Name of the plan (default: the model's). */
  name?: string;
  /** Lower end of every resizable group's training range, as a fraction of its size (default 0.25). */
  minFraction?: number;
  /** The images and classes the model must take (a dataset's); checked when given. */
  input?: InputShape;
  source?: string;
}

interface Value {
  node: string;
  term: ChannelTerm;
  shape: number[];
  /** [h, w] of a flattened map, whose vector is channels-last. */
  spatial?: [number, number];
}

interface Pending {
  id: string;
  inputs: string[];
  op: NodeOp;
  out: ChannelTerm;
  in?: ChannelTerm;
  layer: KerasLayer;
}

/** The depth-wise node of a DepthwiseConv2D, or of a SeparableConv2D's first half (its group filled in later). */
function depthwiseOp(spec: Extract<LayerSpec, { kind: "depthwise" | "separable" }>, bias: boolean): NodeOp {
  return {
    op: "depthwise-conv2d",
    group: "",
    kernel: spec.kernel,
    stride: spec.strides,
    dilation: spec.dilation,
    padding: spec.padding,
    bias,
  };
}

const sameShape = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

export function buildLayersPlan(topology: LayersTopology, options: BuildPlanOptions = {}): LayersPlan {
  const source = options.source ?? "model.json";
  const fail = (problem: string): never => {
    throw new Error(`${source}: ${problem}`);
  };
  const problems: string[] = [];
  const failOnProblems = () => {
    if (problems.length)
      fail(
        `${problems.length} layer${problems.length > 1 ? "s" : ""} cannot be converted:\n  ${problems.join("\n  ")}\n` +
          `Supported layers: ${SUPPORTED_LAYERS.join(", ")} (activations relu, relu6, linear and element-wise ones; softmax on the outputs only).`,
      );
  };
  const specs = new Map<string, LayerSpec>();
  for (const layer of topology.layers) {
    const spec = readLayerSpec(layer);
    if ("unsupported" in spec) problems.push(`${layerLabel(layer)}: ${spec.unsupported}`);
    else specs.set(layer.name, spec);
  }
  failOnProblems();

  const [h, w, c] = topology.input.shape;
  if (topology.input.shape.length !== 3 || ![h, w, c].every((v) => Number.isInteger(v) && (v as number) >= 1))
    fail(
      `wrong input shape: the model takes [${topology.input.shape.map((v) => v ?? "any")}]; a convertible model takes images [height, width, channels]`,
    );
  const image = [h, w, c] as [number, number, number];
  if (options.input && !sameShape(image, [options.input.height, options.input.width, options.input.channels]))
    fail(
      `wrong input shape: the model takes ${image.join("×")} images, the dataset's are ${options.input.height}×${options.input.width}×${options.input.channels}`,
    );

  const union = new ChannelUnion();
  const values = new Map<string, Value>([
    [topology.input.name, { node: "input", term: union.atom(IMAGE_GROUP, c as number), shape: image }],
  ]);
  const ids = new Set(["input"]);
  const pending: Pending[] = [];
  const sources: WeightSource[] = [];
  const layerNodes: LayersPlan["layers"] = [];
  let outputSoftmax = false;

  for (const layer of topology.layers) {
    const spec = specs.get(layer.name) as LayerSpec;
    const ins = layer.inputs.map((n) => values.get(n) as Value);
    const nodes: string[] = [];
    layerNodes.push({ name: layer.name, className: layer.className, position: layer.position, nodes });
    const problem = (why: string) => {
      problems.push(`${layerLabel(layer)}: ${why}`);
      values.set(layer.name, ins[0] as Value);
    };
    const multi = spec.kind === "add" || spec.kind === "concat";
    if (multi ? ins.length < 2 : ins.length !== 1) {
      problem(`reads ${ins.length} tensors`);
      continue;
    }
    const x = ins[0] as Value;
    const emit = (base: string, op: NodeOp, out: ChannelTerm, from: Value[], inTerm?: ChannelTerm): string => {
      let id = base;
      for (let k = 1; ids.has(id); k++) id = `${base}_${k}`;
      ids.add(id);
      pending.push({ id, inputs: from.map((v) => v.node), op, out, in: inTerm, layer });
      nodes.push(id);
      return id;
    };
    const shapeOf = (op: NodeOp, input: Value, channels: number) => nodeOutputShape(op, input.shape, channels, image);
    const source = (parameter: string, weight: string, extra: Partial<WeightSource> = {}) =>
      sources.push({ parameter, layer, weight, ...extra });
    /** The value after an activation (its own node unless linear); undefined after a problem. */
    const activate = (v: Value, a: LayerActivation, base: string): Value | undefined => {
      if (a.fn === "linear") return v;
      if (a.fn === "softmax") {
        if (layer.name === topology.output && v.shape.length === 1) {
          outputSoftmax = true;
          return v;
        }
        problem("a softmax inside the network (only the class outputs may have one)");
        return undefined;
      }
      const op: NodeOp = a.fn === "relu" ? { op: "relu" } : { op: "activation", ...a };
      return { ...v, node: emit(base, op, v.term, [v]) };
    };
    const needMap = () => {
      if (x.shape.length === 3) return true;
      problem(`needs a feature map [height, width, channels], gets a vector of ${x.shape[0]}`);
      return false;
    };
    const positive = (shape: number[]) => {
      if (shape.every((s) => s >= 1)) return true;
      problem(`its window is larger than its ${x.shape.slice(0, 2).join("×")} input`);
      return false;
    };
    let out: Value | undefined;
    switch (spec.kind) {
      case "identity":
        out = x;
        break;
      case "conv":
      case "separable": {
        if (!needMap()) continue;
        const pointwise = (k: [number, number], d: [number, number]) => k[0] * k[1] * d[0] * d[1] === 1;
        let input = x;
        if (spec.kind === "separable") {
          const op = depthwiseOp(spec, false);
          const shape = shapeOf(op, x, x.shape[2] as number);
          if (!positive(shape)) continue;
          const id = emit(`${layer.name}.depthwise`, op, x.term, [x]);
          source(`${id}.weight`, "depthwise_kernel");
          input = { node: id, term: x.term, shape };
        }
        const separable = spec.kind === "separable";
        const op: NodeOp =
          separable || pointwise(spec.kernel, spec.dilation)
            ? {
                op: "pointwise-conv2d",
                inGroup: "",
                outGroup: "",
                stride: separable ? 1 : spec.strides,
                bias: spec.bias,
              }
            : {
                op: "conv2d",
                inGroup: "",
                outGroup: "",
                kernel: spec.kernel,
                stride: spec.strides,
                dilation: spec.dilation,
                padding: spec.padding,
                bias: spec.bias,
              };
        const term = union.atom(layer.name, spec.filters);
        const shape = shapeOf(op, input, spec.filters);
        if (!positive(shape)) continue;
        const id = emit(layer.name, op, term, [input], input.term);
        source(`${id}.weight`, separable ? "pointwise_kernel" : "kernel");
        if (spec.bias) source(`${id}.bias`, "bias");
        out = activate({ node: id, term, shape }, spec.activation, `${layer.name}.${spec.activation.fn}`);
        break;
      }
      case "depthwise": {
        if (!needMap()) continue;
        const op = depthwiseOp(spec, spec.bias);
        const shape = shapeOf(op, x, x.shape[2] as number);
        if (!positive(shape)) continue;
        const id = emit(layer.name, op, x.term, [x]);
        source(`${id}.weight`, "depthwise_kernel");
        if (spec.bias) source(`${id}.bias`, "bias");
        out = activate({ node: id, term: x.term, shape }, spec.activation, `${layer.name}.${spec.activation.fn}`);
        break;
      }
      case "dense": {
        if (x.shape.length !== 1) {
          problem("a Dense on a feature map (put a Flatten or a global pooling before it)");
          continue;
        }
        const op: NodeOp = {
          op: "dense",
          inGroup: "",
          outGroup: "",
          bias: spec.bias,
          ...(x.spatial ? { spatial: x.spatial } : {}),
        };
        const term = union.atom(layer.name, spec.units);
        const id = emit(layer.name, op, term, [x], x.term);
        source(`${id}.weight`, "kernel", x.spatial ? { flattened: true } : {});
        if (spec.bias) source(`${id}.bias`, "bias");
        out = activate({ node: id, term, shape: [spec.units] }, spec.activation, `${layer.name}.${spec.activation.fn}`);
        break;
      }
      case "batch-norm": {
        if (x.spatial) {
          problem("normalises a flattened map feature by feature; only per-channel batch norm converts");
          continue;
        }
        const id = emit(layer.name, { op: "batch-norm", group: "", epsilon: spec.epsilon }, x.term, [x]);
        if (spec.scale) source(`${id}.gamma`, "gamma");
        else sources.push({ parameter: `${id}.gamma`, layer, fill: 1 });
        if (spec.center) source(`${id}.beta`, "beta");
        else sources.push({ parameter: `${id}.beta`, layer, fill: 0 });
        source(`${id}.mean`, "moving_mean");
        source(`${id}.variance`, "moving_variance");
        out = { ...x, node: id };
        break;
      }
      case "activation":
        out = activate(x, spec.activation, layer.name);
        break;
      case "pool": {
        if (!needMap()) continue;
        const op: NodeOp =
          spec.mode === "max"
            ? { op: "max-pool", size: spec.size, stride: spec.strides, padding: spec.padding }
            : { op: "avg-pool", size: spec.size, stride: spec.strides, padding: spec.padding };
        const shape = shapeOf(op, x, x.shape[2] as number);
        if (!positive(shape)) continue;
        out = { node: emit(layer.name, op, x.term, [x]), term: x.term, shape };
        break;
      }
      case "global-pool": {
        if (!needMap()) continue;
        const op: NodeOp = { op: spec.mode === "max" ? "global-max-pool" : "global-avg-pool" };
        out = { node: emit(layer.name, op, x.term, [x]), term: x.term, shape: [x.shape[2] as number] };
        break;
      }
      case "flatten": {
        if (x.shape.length !== 3) {
          out = x;
          break;
        }
        const [mh, mw, mc] = x.shape as [number, number, number];
        const id = emit(layer.name, { op: "flatten" }, x.term, [x]);
        out = {
          node: id,
          term: x.term,
          shape: [mh * mw * mc],
          ...(mh * mw > 1 ? { spatial: [mh, mw] as [number, number] } : {}),
        };
        break;
      }
      case "zero-pad": {
        if (!needMap()) continue;
        const op: NodeOp = { op: "zero-pad", padding: spec.padding };
        out = { node: emit(layer.name, op, x.term, [x]), term: x.term, shape: shapeOf(op, x, x.shape[2] as number) };
        break;
      }
      case "rescale":
        out = { ...x, node: emit(layer.name, { op: "rescale", scale: spec.scale, offset: spec.offset }, x.term, [x]) };
        break;
      case "add": {
        const bad = ins.find((v) => !sameShape(v.shape, x.shape) || String(v.spatial) !== String(x.spatial));
        if (bad) {
          problem(`adds tensors of shapes [${x.shape}] and [${bad.shape}]`);
          continue;
        }
        try {
          for (const v of ins.slice(1)) union.unify(x.term, v.term, layerLabel(layer));
        } catch (e) {
          problem((e as Error).message.replace(`${layerLabel(layer)} `, ""));
          continue;
        }
        out = { ...x, node: emit(layer.name, { op: "add" }, x.term, ins) };
        break;
      }
      case "concat": {
        const rank = x.shape.length;
        if (ins.some((v) => v.spatial)) {
          problem("concatenates flattened maps (concatenate the maps, then flatten)");
          continue;
        }
        if (
          ins.some(
            (v) => v.shape.length !== rank || (rank === 3 && !sameShape(v.shape.slice(0, 2), x.shape.slice(0, 2))),
          )
        ) {
          problem(`concatenates tensors of shapes ${ins.map((v) => `[${v.shape}]`).join(", ")}`);
          continue;
        }
        const term = union.composite(
          layer.name,
          ins.map((v) => v.term),
        );
        const channels = ins.reduce((a, v) => a + (v.shape[rank - 1] as number), 0);
        const id = emit(layer.name, { op: "concat", group: "" }, term, ins);
        out = {
          node: id,
          term,
          shape: rank === 3 ? [x.shape[0] as number, x.shape[1] as number, channels] : [channels],
        };
        break;
      }
    }
    if (out) values.set(layer.name, out);
  }
  failOnProblems();

  const output = values.get(topology.output) as Value;
  if (output.shape.length !== 1 || output.spatial)
    fail(`the output has shape [${output.shape}]; a convertible model ends with a vector of class scores`);
  if (pending[pending.length - 1]?.id !== output.node)
    fail(`the output "${topology.output}" is not the last layer evaluated`);
  const classes = output.shape[0] as number;
  if (options.input && options.input.classes !== classes)
    fail(`the model has ${classes} outputs, the dataset has ${options.input.classes} classes`);

  // Group ids: the image, the classes (when the output is one atomic group), else the producing layer's name.
  const imageRoot = union.resolve(values.get(topology.input.name)!.term).atoms[0] as number;
  const outputAtoms = union.resolve(output.term).atoms;
  const fixed = new Set([imageRoot, ...outputAtoms]);
  const atomName = (a: number) =>
    a === imageRoot ? IMAGE_GROUP : outputAtoms.length === 1 && a === outputAtoms[0] ? CLASSES_GROUP : union.names[a]!;
  const minFraction = options.minFraction ?? 0.25;
  if (!(minFraction > 0 && minFraction <= 1)) fail(`minFraction must be in (0, 1], got ${minFraction}`);
  const builder = new PlanBuilder(
    options.name ?? topology.name,
    { height: h as number, width: w as number, channels: c as number, classes },
    (size) => ({ min: Math.max(2, Math.ceil(minFraction * size)), max: size }),
    { normalization: { scale: 1, offset: 0 } },
  );
  const declared = new Set<string>([IMAGE_GROUP]);
  const groupOf = (t: ChannelTerm): string => {
    const r = union.resolve(t);
    for (const a of r.atoms) {
      const id = atomName(a);
      if (declared.has(id)) continue;
      declared.add(id);
      const size = union.atomSize(a);
      if (fixed.has(a) || size < 2) builder.fixedGroup(id, size, id === CLASSES_GROUP ? "none" : undefined);
      else builder.group(id, size, "trapezoid");
    }
    if (!r.composite) return atomName(r.atoms[0] as number);
    if (!declared.has(r.composite)) {
      declared.add(r.composite);
      builder.composite(r.composite, r.atoms.map(atomName));
    }
    return r.composite;
  };
  for (const p of pending) {
    const group = groupOf(p.out);
    const op = p.op;
    switch (op.op) {
      case "conv2d":
      case "pointwise-conv2d":
      case "dense":
        op.inGroup = groupOf(p.in as ChannelTerm);
        op.outGroup = group;
        break;
      case "batch-norm":
        if (union.resolve(p.out).composite)
          problems.push(`${layerLabel(p.layer)}: normalises a concatenation; put the batch norms inside the branches`);
        op.group = group;
        break;
      case "depthwise-conv2d":
      case "concat":
        op.group = group;
        break;
      default:
        break;
    }
    builder.add({ id: p.id, inputs: p.inputs, group, op });
  }
  failOnProblems();
  return { plan: builder.plan(), sources, outputSoftmax, layers: layerNodes };
}
