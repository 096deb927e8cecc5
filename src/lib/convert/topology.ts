/**
 * The graph of a tfjs layers model as `tf.io` saves it (`modelTopology` of model.json): Sequential or
 * functional ("Model" / "Functional"), as written by tfjs-layers or by the tensorflowjs converter from Keras
 * (which nests the model under `model_config`). Layers come out in evaluation order with the names of the
 * layers feeding them; what each layer computes is read elsewhere (layer-specs.ts).
 */

export interface KerasLayer {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Names of the layers feeding this one, in order. */
  inputs: string[];
  /** 1-based position in model.json's layer list. */
  position: number;
}

export interface LayersTopology {
  name: string;
  kind: "Sequential" | "Functional";
  input: { name: string; shape: (number | null)[] };
  /** Layers in evaluation order, the input layer excluded; only those the output depends on. */
  layers: KerasLayer[];
  output: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** "conv2d (Conv2D, layer 3)": how errors name a layer. */
export function layerLabel(layer: Pick<KerasLayer, "name" | "className" | "position">): string {
  return `"${layer.name}" (${layer.className}, layer ${layer.position})`;
}

/** The per-sample input shape a layer config declares (Keras 2 batch_input_shape, Keras 3 batch_shape). */
function declaredShape(config: Json): (number | null)[] | undefined {
  const shape = config.batch_input_shape ?? config.batch_shape;
  return Array.isArray(shape) ? (shape.slice(1) as (number | null)[]) : undefined;
}

/** The layer names a functional layer's inbound node reads (Keras 2 lists, or Keras 3 keras_history). */
function inboundNames(layer: Json, label: string, fail: (m: string) => never): string[] {
  const nodes = layer.inbound_nodes;
  if (nodes === undefined || (Array.isArray(nodes) && nodes.length === 0)) return [];
  if (!Array.isArray(nodes)) return fail(`layer ${label} has malformed inbound_nodes`);
  if (nodes.length > 1)
    fail(
      `layer ${label} is applied ${nodes.length} times; shared layers cannot be converted (each call needs its own channels)`,
    );
  const names: string[] = [];
  const reference = (name: unknown, nodeIndex: unknown, tensorIndex: unknown) => {
    if (typeof name !== "string") fail(`layer ${label} has a malformed inbound tensor`);
    if (nodeIndex !== 0 || tensorIndex !== 0)
      fail(
        `layer ${label} reads output ${tensorIndex} of call ${nodeIndex} of "${name}"; only single-call, single-output layers convert`,
      );
    names.push(name as string);
  };
  const node = nodes[0];
  if (Array.isArray(node)) {
    for (const t of node) {
      if (!Array.isArray(t)) fail(`layer ${label} has a malformed inbound tensor`);
      reference(t[0], t[1], t[2]);
    }
    return names;
  }
  // Keras 3: {args: [...], kwargs}, tensors as {class_name: "__keras_tensor__", config: {keras_history: [name, node, tensor]}}.
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v)) {
      const history = isObject(v.config) ? v.config.keras_history : undefined;
      if (v.class_name === "__keras_tensor__" && Array.isArray(history)) reference(history[0], history[1], history[2]);
      else Object.values(v).forEach(walk);
    }
  };
  if (!isObject(node)) return fail(`layer ${label} has a malformed inbound node`);
  walk(node.args);
  return names;
}

/** One [name, node, tensor] entry of input_layers / output_layers (Keras 3 writes a single one flat). */
function endpoints(v: unknown, what: string, fail: (m: string) => never): string[] {
  if (!Array.isArray(v)) return fail(`the model has no ${what}`);
  const list = typeof v[0] === "string" ? [v] : v;
  return list.map((e) => (Array.isArray(e) && typeof e[0] === "string" ? e[0] : fail(`malformed ${what}`)));
}

/** Parse a layers model's topology; `source` names the file in errors. */
export function parseLayersTopology(modelTopology: unknown, source = "model.json"): LayersTopology {
  const fail = (problem: string): never => {
    throw new Error(`${source}: ${problem}`);
  };
  if (!isObject(modelTopology)) return fail("no model topology: not a tfjs layers model");
  const model = isObject(modelTopology.model_config) ? modelTopology.model_config : modelTopology;
  const className = model.class_name;
  const config = model.config;
  if (className === "Sequential") {
    const list = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
    if (!Array.isArray(list) || list.length === 0) return fail("the Sequential model has no layers");
    const raw = list.map((l, i) => {
      if (!isObject(l) || typeof l.class_name !== "string" || !isObject(l.config))
        return fail(`layer ${i + 1} is not a {class_name, config} object`);
      const name = typeof l.config.name === "string" ? l.config.name : `layer_${i + 1}`;
      return { name, className: l.class_name, config: l.config, position: i + 1 };
    });
    const first = raw[0]!;
    const hasInputLayer = first.className === "InputLayer";
    const shape =
      declaredShape(first.config) ??
      (isObject(config) && Array.isArray(config.build_input_shape)
        ? (config.build_input_shape.slice(1) as (number | null)[])
        : undefined);
    if (!shape) return fail(`the first layer ${layerLabel(first)} declares no input shape (batch_input_shape)`);
    const input = { name: hasInputLayer ? first.name : "input", shape };
    const body = hasInputLayer ? raw.slice(1) : raw;
    const layers = body.map((l, i) => ({ ...l, inputs: [i === 0 ? input.name : (body[i - 1]!.name as string)] }));
    if (layers.length === 0) return fail("the model has only an input layer");
    const name = isObject(config) && typeof config.name === "string" ? config.name : "sequential";
    return { name, kind: "Sequential", input, layers, output: layers[layers.length - 1]!.name };
  }
  if (className !== "Model" && className !== "Functional")
    return fail(`model class ${JSON.stringify(className)} is neither Sequential nor a functional Model`);
  if (!isObject(config) || !Array.isArray(config.layers)) return fail("the functional model has no layer list");
  const all = config.layers.map((l, i): KerasLayer => {
    if (!isObject(l) || typeof l.class_name !== "string" || !isObject(l.config))
      return fail(`layer ${i + 1} is not a {class_name, config} object`);
    const name = typeof l.name === "string" ? l.name : typeof l.config.name === "string" ? l.config.name : "";
    if (!name) return fail(`layer ${i + 1} (${l.class_name}) has no name`);
    const label = layerLabel({ name, className: l.class_name, position: i + 1 });
    return { name, className: l.class_name, config: l.config, inputs: inboundNames(l, label, fail), position: i + 1 };
  });
  const byName = new Map<string, KerasLayer>();
  for (const l of all) {
    if (byName.has(l.name)) fail(`two layers are named "${l.name}"`);
    byName.set(l.name, l);
  }
  const inputs = endpoints(config.input_layers, "input_layers", fail);
  const outputs = endpoints(config.output_layers, "output_layers", fail);
  if (inputs.length !== 1) fail(`the model has ${inputs.length} inputs; only single-input models convert`);
  if (outputs.length !== 1) fail(`the model has ${outputs.length} outputs; only single-output models convert`);
  const inputLayer = byName.get(inputs[0]!);
  if (!inputLayer || inputLayer.className !== "InputLayer")
    return fail(`input "${inputs[0]}" is not an InputLayer of the model`);
  const shape = declaredShape(inputLayer.config);
  if (!shape) return fail(`input layer ${layerLabel(inputLayer)} declares no batch_input_shape`);
  for (const l of all)
    for (const i of l.inputs)
      if (!byName.has(i)) fail(`layer ${layerLabel(l)} reads "${i}", which is not a layer of the model`);
  // Evaluation order: depth-first from the output, so only what the output depends on is kept.
  const order: KerasLayer[] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (name: string) => {
    const s = state.get(name);
    if (s === "done") return;
    const layer = byName.get(name) as KerasLayer;
    if (s === "open") fail(`layer ${layerLabel(layer)} depends on itself`);
    state.set(name, "open");
    for (const i of layer.inputs) visit(i);
    state.set(name, "done");
    order.push(layer);
  };
  const output = byName.get(outputs[0]!);
  if (!output) return fail(`output "${outputs[0]}" is not a layer of the model`);
  visit(output.name);
  const stray = order.find((l) => l.className === "InputLayer" && l.name !== inputLayer.name);
  if (stray) fail(`layer ${layerLabel(stray)} is a second input`);
  if (!order.includes(inputLayer)) fail(`the output "${output.name}" does not depend on the input`);
  const layers = order.filter((l) => l !== inputLayer);
  if (layers.length === 0) return fail("the model has only an input layer");
  const name = typeof config.name === "string" ? config.name : "model";
  return { name, kind: "Functional", input: { name: inputLayer.name, shape }, layers, output: output.name };
}
