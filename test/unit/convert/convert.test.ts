import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import {
  buildLayersModel,
  endsWithSoftmax,
  LAYERS_MODELS,
  saveArtifacts,
  setSeededWeights,
  type LayersModelName,
} from "../../../loaders/layers-models.js";
import {
  convertLayersModel,
  convertLayersModelAsync,
  logitDifference,
  planFromLayersModel,
} from "../../../src/lib/convert/convert.js";
import { describePlan } from "../../../src/lib/graph/describe-plan.js";
import { exportPlanTfjsLayersModel } from "../../../src/lib/io/graph-tfjs-export.js";
import { createFamilyModel, SINN_FAMILIES } from "../../../src/lib/sinn/families.js";
import { everyKindA, everyKindB, images, netOutput, relativeDifference } from "../helpers/layers.js";

before(async () => {
  await initBackend("cpu");
});

/** Hidden groups with their sizes, and composites with their parts, as the converter inferred them. */
const EXPECTED_GROUPS: Record<
  LayersModelName,
  { hidden: Record<string, number>; composites?: Record<string, string[]> }
> = {
  cnn: { hidden: { conv1: 8, conv2: 16, fc1: 32 } },
  // The identity shortcut links the stem with block 1's second conv, the projection block 2's two branches.
  residual: { hidden: { stem: 16, b1_conv1: 16, b2_conv1: 32, b2_conv2: 32 } },
  inception: {
    hidden: { stem: 16, b1_1x1: 8, b2_reduce: 8, b2_3x3: 16, b3_reduce: 4, b3_5x5: 8, b4_1x1: 8, mix: 32 },
    composites: { concat: ["b1_1x1", "b2_3x3", "b3_5x5", "b4_1x1"] },
  },
  // Depth-wise convs and batch norms carry their input's group.
  mobilenet: { hidden: { stem: 16, block1_pw: 32, block2_pw: 64 } },
};

/** Parameters at 50% of every hidden group, counted by hand (weights k·k·in·out + biases; batch norm 2c). */
const HALF_PARAMS: Partial<Record<LayersModelName, number>> = {
  // conv1 3·3·1·4 + 4, conv2 3·3·4·8 + 8, fc1 (6·6·8)·16 + 16, fc2 16·10 + 10
  cnn: 40 + 296 + 4624 + 170,
  // stem 3·3·1·8 + BN 16, dw 9·8 + 16, pw 8·16 + 32, dw 9·16 + 32, pw 16·32 + 64, classifier 32·10 + 10
  mobilenet: 72 + 16 + 72 + 16 + 128 + 32 + 144 + 32 + 512 + 64 + 330,
};

for (const name of LAYERS_MODELS) {
  test(`${name}: converted groups, logits equal to the tfjs model at full size, resampled shapes and parameters`, async () => {
    const start = tf.memory().numTensors;
    const model = buildLayersModel(name);
    setSeededWeights(model, 11, true);
    const converted = convertLayersModel(await saveArtifacts(model), { restarts: 5 });
    const x = images(3, [28, 28, 1]);
    try {
      const { plan, net } = converted;
      const expected = EXPECTED_GROUPS[name];
      assert.deepEqual(
        Object.fromEntries(plan.hidden.map((g) => [g, net.fullSizes[g]])),
        expected.hidden,
        `${name}: hidden groups`,
      );
      assert.deepEqual(
        Object.fromEntries(plan.composites.map((c) => [c.id, c.parts])),
        expected.composites ?? {},
        `${name}: composites`,
      );
      assert.deepEqual([net.fullSizes.image, net.fullSizes.classes], [1, 10]);
      assert.equal(converted.outputSoftmax, endsWithSoftmax(model));
      // Every group is reordered (TV never rises) and the reordered net still computes the model.
      for (const o of converted.groups) assert.ok(o.tvAfter <= o.tvBefore + 1e-9, `${name} ${o.group}: TV rose`);
      assert.ok(
        converted.groups.some((o) => o.order.some((c, k) => c !== k)),
        `${name}: no group was reordered`,
      );
      const full = relativeDifference(model, net, x, converted.outputSoftmax);
      assert.ok(full < 1e-5, `${name}: relative difference ${full} at full size`);

      const half = net.fractionSizes(0.5);
      net.resample(half);
      const y = netOutput(net, x, false);
      assert.deepEqual(y.shape, [6, 10]);
      y.dispose();
      const d = describePlan(plan, half);
      for (const [g, size] of Object.entries(half)) assert.equal(d.groups.find((e) => e.id === g)?.size, size);
      // The description counts exactly the tensors the resampled net evaluates with.
      const tensors = Object.values(net.evaluationTensors()).reduce(
        (a, t) => a + ("weight" in t ? t.weight.size + (t.bias?.size ?? 0) : t.scale.size + t.shift.size),
        0,
      );
      assert.equal(d.params, tensors, `${name}: parameters at 50%`);
      if (HALF_PARAMS[name] !== undefined) assert.equal(d.params, HALF_PARAMS[name], `${name}: hand count at 50%`);
      for (const [id, t] of Object.entries(net.evaluationTensors())) {
        const node = plan.nodes.find((n) => n.id === id)!;
        const channels = ("weight" in t ? t.weight.shape : t.scale.shape).at(-1);
        if (node.op.op !== "depthwise-conv2d") assert.equal(channels, net.groups.sizeOf(node.group, net.sizes), id);
      }
    } finally {
      x.dispose();
      converted.net.dispose();
      model.dispose();
    }
    assert.equal(tf.memory().numTensors, start, `${name}: tensors leaked`);
  });
}

test("the description lists every group with its members: the residual net's linked stem", async () => {
  const model = buildLayersModel("residual");
  const { plan } = planFromLayersModel(await saveArtifacts(model));
  model.dispose();
  const groups = describePlan(plan).groups;
  const members = (id: string) =>
    groups
      .find((g) => g.id === id)!
      .members!.map((m) => `${m.node}:${m.role}`)
      .sort();
  assert.deepEqual(members("stem"), [
    "b1_add:joins",
    "b1_conv1:consumes",
    "b1_conv2:produces",
    "b1_conv2_bn:carries",
    "b2_conv1:consumes",
    "b2_proj:consumes",
    "stem:produces",
    "stem_bn:carries",
  ]);
  assert.deepEqual(members("b2_conv2"), [
    "b2_add:joins",
    "b2_conv2:produces",
    "b2_conv2_bn:carries",
    "b2_proj:produces",
    "b2_proj_bn:carries",
    "classifier:consumes",
  ]);
  assert.deepEqual(members("classes"), ["classifier:produces"]);
});

test("every supported layer kind converts exactly at full size, resamples, and exports back", async () => {
  const start = tf.memory().numTensors;
  for (const [build, shape] of [
    [everyKindA, [13, 10, 2]],
    [everyKindB, [9, 9, 3]],
  ] as const) {
    const model = build();
    setSeededWeights(model, 5, true);
    const converted = convertLayersModel(await saveArtifacts(model), { restarts: 3 });
    const x = images(7, [...shape] as [number, number, number]);
    try {
      const diff = relativeDifference(model, converted.net, x, converted.outputSoftmax);
      assert.ok(diff < 1e-5, `${model.name}: relative difference ${diff}`);
      const { net, plan } = converted;
      if (model.name === "every_kind_b") {
        // The add links r and t to the concatenation: both write its parts [p, q].
        assert.deepEqual(plan.composites, [{ id: "cat", parts: ["p", "q"] }]);
        const op = (id: string) => plan.nodes.find((n) => n.id === id)!.op as { outGroup: string };
        assert.equal(op("r").outGroup, "cat");
        assert.equal(op("t").outGroup, "cat");
        assert.deepEqual(plan.hidden, ["stem", "p", "q"]);
        assert.equal(converted.outputSoftmax, true);
      } else assert.deepEqual(plan.hidden, ["rect", "dilated", "sep", "fc1"]);
      // Resampled and exported: tfjs loads the export with stock layers and predicts the resampled net.
      net.resample(net.fractionSizes(0.5));
      const artifacts = exportPlanTfjsLayersModel(net, { outputSoftmax: converted.outputSoftmax });
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
      const back = relativeDifference(loaded, net, x, converted.outputSoftmax);
      assert.ok(back < 1e-5, `${model.name}: export differs by ${back}`);
      loaded.dispose();
    } finally {
      x.dispose();
      converted.net.dispose();
      model.dispose();
    }
  }
  assert.equal(tf.memory().numTensors, start);
});

test("the five SIB families' discrete nets, exported as tfjs models, convert back exactly with the same groups", async () => {
  const input = { height: 12, width: 12, channels: 1, classes: 10 };
  const start = tf.memory().numTensors;
  for (const family of SINN_FAMILIES) {
    const original = createFamilyModel(family, "discrete", input, 2, { widthScale: 0.25 });
    const train = images(1, [12, 12, 1], 16);
    // A few training-mode passes move the batch-norm statistics away from (0, 1).
    for (let k = 0; k < 2; k++) tf.dispose(original.apply(train, { training: true }));
    const converted = convertLayersModel(exportPlanTfjsLayersModel(original), { restarts: 3, input });
    const x = images(4, [12, 12, 1]);
    try {
      const expected = original.apply(x, { training: false });
      const got = converted.net.apply(x, { training: false });
      const diff = logitDifference(expected, got).relative;
      tf.dispose([expected, got]);
      assert.ok(diff < 1e-5, `${family}: relative difference ${diff}`);
      // The same linked groups: as many, with the same sizes (names follow the exported layers).
      const sizes = (plan: typeof original.plan, sizesOf: Record<string, number>) =>
        plan.hidden.map((g) => sizesOf[g]).sort((a, b) => a! - b!);
      assert.deepEqual(
        sizes(converted.plan, converted.net.fullSizes),
        sizes(original.plan, original.fullSizes),
        family,
      );
      assert.equal(converted.plan.composites.length, original.plan.composites.length, `${family} composites`);
      assert.equal(describePlan(converted.plan).params, describePlan(original.plan).params, `${family} params`);
    } finally {
      tf.dispose([x, train]);
      converted.net.dispose();
      original.dispose();
    }
  }
  assert.equal(tf.memory().numTensors, start);
});

/** A tfjs-saved functional topology rewritten as the tensorflowjs converter writes Keras 2 and Keras 3 models. */
function asKeras(topology: Record<string, unknown>, version: 2 | 3): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(topology)) as {
    class_name: string;
    config: {
      layers: { class_name: string; config: Record<string, unknown>; inbound_nodes: unknown[] }[];
      input_layers: unknown[];
    };
  };
  copy.class_name = "Functional";
  for (const l of copy.config.layers) {
    if (l.class_name === "BatchNormalization") l.config.axis = [3];
    if (version === 3) {
      if (l.config.batch_input_shape) {
        l.config.batch_shape = l.config.batch_input_shape;
        delete l.config.batch_input_shape;
      }
      const node = l.inbound_nodes[0] as [string, number, number, object][] | undefined;
      const tensor = ([name, n, t]: [string, number, number, object]) => ({
        class_name: "__keras_tensor__",
        config: { shape: [null], dtype: "float32", keras_history: [name, n, t] },
      });
      l.inbound_nodes = node ? [{ args: node.length === 1 ? [tensor(node[0]!)] : [node.map(tensor)], kwargs: {} }] : [];
    }
  }
  // Keras 3 writes a single input flat: ["image", 0, 0].
  if (version === 3) copy.config.input_layers = copy.config.input_layers[0] as unknown[];
  return { keras_version: version === 2 ? "2.15.0" : "3.3.3", backend: "tensorflow", model_config: copy };
}

test("Keras-converted models (model_config nesting, Functional, Keras 2 and Keras 3 inbound nodes) convert exactly", async () => {
  const start = tf.memory().numTensors;
  const model = buildLayersModel("inception");
  setSeededWeights(model, 13, true);
  const artifacts = await saveArtifacts(model);
  const x = images(5, [28, 28, 1]);
  for (const version of [2, 3] as const) {
    const keras = { ...artifacts, modelTopology: asKeras(artifacts.modelTopology as Record<string, unknown>, version) };
    const converted = convertLayersModel(keras, { restarts: 2 });
    try {
      assert.deepEqual(converted.plan.composites, [{ id: "concat", parts: ["b1_1x1", "b2_3x3", "b3_5x5", "b4_1x1"] }]);
      const diff = relativeDifference(model, converted.net, x, false);
      assert.ok(diff < 1e-5, `Keras ${version}: relative difference ${diff}`);
    } finally {
      converted.net.dispose();
    }
  }
  x.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("the async conversion pauses inside each group's search and orders every group exactly as the sync one", async () => {
  const start = tf.memory().numTensors;
  const model = buildLayersModel("cnn");
  setSeededWeights(model, 11, true);
  const artifacts = await saveArtifacts(model);
  model.dispose();
  const sync = convertLayersModel(artifacts, { restarts: 3 });
  sync.net.dispose();
  const lines: string[] = [];
  let pauses = 0;
  const converted = await convertLayersModelAsync(artifacts, {
    restarts: 3,
    sliceMs: 0,
    pause: async () => void pauses++,
    onProgress: (line) => lines.push(line),
  });
  converted.net.dispose();
  assert.deepEqual(
    converted.groups.map((g) => [g.group, Array.from(g.order)]),
    sync.groups.map((g) => [g.group, Array.from(g.order)]),
  );
  assert.equal(pauses, lines.length, "one line per pause");
  assert.ok(lines.includes("ordering the 8 channels of group conv1 (1/3)"), lines.join("\n"));
  assert.ok(lines.includes("ordering the 8 channels of group conv1 (1/3), start 4 of 4"), lines.join("\n"));
  assert.equal(lines.at(-1), "initialising the integral net");
  // A conversion aborted at a pause rejects with the reason and builds no net.
  const controller = new AbortController();
  await assert.rejects(
    convertLayersModelAsync(artifacts, {
      restarts: 3,
      signal: controller.signal,
      pause: async () => controller.abort(new Error("another model was chosen")),
    }),
    /another model was chosen/,
  );
  assert.equal(tf.memory().numTensors, start);
});
