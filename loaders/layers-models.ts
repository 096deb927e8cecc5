/**
 * Four small tfjs-layers CNNs for 28×28 images, the converter's test models and the CLI's examples: a
 * Sequential CNN with Flatten + Dense, a functional residual net with Add, an Inception-style block with
 * Concatenate, and a MobileNet-style depth-wise + point-wise stack with BatchNormalization and ReLU6. Run
 * as a script, it trains them with model.fit and saves each as model.json + weights.bin:
 *
 *   npx tsx loaders/layers-models.ts --out runs/layers-models [--epochs 1] [--limit-train 0] [--models cnn,residual]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { mulberry32 } from "../src/lib/random.js";

export const LAYERS_MODELS = ["cnn", "residual", "inception", "mobilenet"] as const;
export type LayersModelName = (typeof LAYERS_MODELS)[number];

type Shape = [number, number, number];

function cnn(shape: Shape, classes: number): tf.LayersModel {
  const m = tf.sequential({ name: "cnn" });
  m.add(tf.layers.conv2d({ name: "conv1", inputShape: shape, filters: 8, kernelSize: 3, activation: "relu" }));
  m.add(tf.layers.maxPooling2d({ name: "pool1", poolSize: 2 }));
  m.add(tf.layers.conv2d({ name: "conv2", filters: 16, kernelSize: 3, padding: "same", activation: "relu" }));
  m.add(tf.layers.maxPooling2d({ name: "pool2", poolSize: 2 }));
  m.add(tf.layers.flatten({ name: "flatten" }));
  m.add(tf.layers.dense({ name: "fc1", units: 32, activation: "relu" }));
  m.add(tf.layers.dropout({ name: "drop", rate: 0.25 }));
  m.add(tf.layers.dense({ name: "fc2", units: classes, activation: "softmax" }));
  return m;
}

const convBn = (x: tf.SymbolicTensor, name: string, filters: number, kernel: number, stride = 1, relu = true) => {
  const c = tf.layers
    .conv2d({ name, filters, kernelSize: kernel, strides: stride, padding: "same", useBias: false })
    .apply(x) as tf.SymbolicTensor;
  const b = tf.layers.batchNormalization({ name: `${name}_bn` }).apply(c) as tf.SymbolicTensor;
  return relu ? (tf.layers.reLU({ name: `${name}_relu` }).apply(b) as tf.SymbolicTensor) : b;
};

function residual(shape: Shape, classes: number): tf.LayersModel {
  const input = tf.input({ shape, name: "image" });
  const stem = convBn(input, "stem", 16, 3, 2);
  // Block 1: identity shortcut, so the stem's and conv1b's channels are one group.
  const a = convBn(convBn(stem, "b1_conv1", 16, 3), "b1_conv2", 16, 3, 1, false);
  const b1 = tf.layers
    .reLU({ name: "b1_out" })
    .apply(tf.layers.add({ name: "b1_add" }).apply([a, stem])) as tf.SymbolicTensor;
  // Block 2: stride 2 with a 1×1 projection shortcut.
  const c = convBn(convBn(b1, "b2_conv1", 32, 3, 2), "b2_conv2", 32, 3, 1, false);
  const p = convBn(b1, "b2_proj", 32, 1, 2, false);
  const b2 = tf.layers
    .reLU({ name: "b2_out" })
    .apply(tf.layers.add({ name: "b2_add" }).apply([c, p])) as tf.SymbolicTensor;
  const gap = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(b2) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: "classifier", units: classes }).apply(gap) as tf.SymbolicTensor;
  return tf.model({ name: "residual", inputs: input, outputs: out });
}

function inception(shape: Shape, classes: number): tf.LayersModel {
  const input = tf.input({ shape, name: "image" });
  const stem = convBn(input, "stem", 16, 3, 2);
  const b1 = convBn(stem, "b1_1x1", 8, 1);
  const b2 = convBn(convBn(stem, "b2_reduce", 8, 1), "b2_3x3", 16, 3);
  const b3 = convBn(convBn(stem, "b3_reduce", 4, 1), "b3_5x5", 8, 5);
  const pool = tf.layers
    .maxPooling2d({ name: "b4_pool", poolSize: 3, strides: 1, padding: "same" })
    .apply(stem) as tf.SymbolicTensor;
  const b4 = convBn(pool, "b4_1x1", 8, 1);
  const cat = tf.layers.concatenate({ name: "concat" }).apply([b1, b2, b3, b4]) as tf.SymbolicTensor;
  const down = tf.layers.maxPooling2d({ name: "pool", poolSize: 2 }).apply(cat) as tf.SymbolicTensor;
  const mix = convBn(down, "mix", 32, 3);
  const gap = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(mix) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: "classifier", units: classes }).apply(gap) as tf.SymbolicTensor;
  return tf.model({ name: "inception", inputs: input, outputs: out });
}

function mobilenet(shape: Shape, classes: number): tf.LayersModel {
  const m = tf.sequential({ name: "mobilenet" });
  const bnRelu6 = (name: string, layerRelu: boolean) => {
    m.add(tf.layers.batchNormalization({ name: `${name}_bn` }));
    // Both spellings of ReLU6: the ReLU layer with max_value 6 and Activation("relu6").
    m.add(
      layerRelu
        ? tf.layers.reLU({ name: `${name}_relu6`, maxValue: 6 })
        : tf.layers.activation({ name: `${name}_relu6`, activation: "relu6" }),
    );
  };
  m.add(
    tf.layers.conv2d({
      name: "stem",
      inputShape: shape,
      filters: 16,
      kernelSize: 3,
      strides: 2,
      padding: "same",
      useBias: false,
    }),
  );
  bnRelu6("stem", true);
  const block = (name: string, filters: number, stride: number) => {
    m.add(
      tf.layers.depthwiseConv2d({
        name: `${name}_dw`,
        kernelSize: 3,
        strides: stride,
        padding: "same",
        useBias: false,
      }),
    );
    bnRelu6(`${name}_dw`, false);
    m.add(tf.layers.conv2d({ name: `${name}_pw`, filters, kernelSize: 1, useBias: false }));
    bnRelu6(`${name}_pw`, true);
  };
  block("block1", 32, 1);
  block("block2", 64, 2);
  m.add(tf.layers.globalAveragePooling2d({ name: "gap" }));
  m.add(tf.layers.dropout({ name: "drop", rate: 0.2 }));
  m.add(tf.layers.dense({ name: "classifier", units: classes, activation: "softmax" }));
  return m;
}

const BUILDERS: Record<LayersModelName, (shape: Shape, classes: number) => tf.LayersModel> = {
  cnn,
  residual,
  inception,
  mobilenet,
};

/** One of the four architectures, untrained (tfjs-layers' default initialisers). */
export function buildLayersModel(name: LayersModelName, shape: Shape = [28, 28, 1], classes = 10): tf.LayersModel {
  return BUILDERS[name](shape, classes);
}

/**
 * Deterministic weights (tfjs's initialisers draw from an unseeded stream): Glorot-uniform kernels, zero
 * biases; batch norms γ 1, β 0, statistics 0 and 1 — or, with `randomStatistics`, every batch-norm weight
 * drawn (γ, β, mean around 0, variance in [0.5, 1.5]), as a trained net has them.
 */
export function setSeededWeights(model: tf.LayersModel, seed: number, randomStatistics = false): void {
  const random = mulberry32(seed);
  const uniform = (n: number, lo: number, hi: number) =>
    Float32Array.from({ length: n }, () => lo + (hi - lo) * random());
  const weights = model.weights.map((w) => {
    const shape = w.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    const kind = w.originalName.slice(w.originalName.lastIndexOf("/") + 1);
    let values: Float32Array;
    if (kind.endsWith("kernel")) {
      const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const [fanIn, fanOut] =
        shape.length === 2
          ? [shape[0], shape[1]]
          : [receptive * (shape[shape.length - 2] as number), receptive * (shape[shape.length - 1] as number)];
      const limit = Math.sqrt(6 / ((fanIn as number) + (fanOut as number)));
      values = uniform(n, -limit, limit);
    } else if (kind === "moving_variance")
      values = randomStatistics ? uniform(n, 0.5, 1.5) : new Float32Array(n).fill(1);
    else if (kind === "gamma") values = randomStatistics ? uniform(n, 0.5, 1.5) : new Float32Array(n).fill(1);
    else if (randomStatistics && (kind === "beta" || kind === "moving_mean" || kind === "bias"))
      values = uniform(n, -0.5, 0.5);
    else values = new Float32Array(n);
    return tf.tensor(values, shape);
  });
  model.setWeights(weights);
  tf.dispose(weights);
}

/** Whether the model ends with a softmax (then it is trained on probabilities, else on logits). */
export function endsWithSoftmax(model: tf.LayersModel): boolean {
  const last = model.layers[model.layers.length - 1] as unknown as { getConfig(): { activation?: string } };
  return last.getConfig().activation === "softmax";
}

/** The model's artifacts as `model.save` hands them to a save handler. */
export async function saveArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return saved as tf.io.ModelArtifacts;
}

/** Write artifacts as model.json + weights.bin in `dir`. */
export function writeModelFiles(dir: string, artifacts: tf.io.ModelArtifacts): string {
  mkdirSync(dir, { recursive: true });
  const data = artifacts.weightData as ArrayBuffer;
  writeFileSync(join(dir, "weights.bin"), new Uint8Array(data));
  const json = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
  };
  const path = join(dir, "model.json");
  writeFileSync(path, JSON.stringify(json));
  return path;
}

async function main(argv: string[]): Promise<number> {
  const { initBackend } = await import("./backend.js");
  const { loadDataset } = await import("./datasets.js");
  const { batchImages, batchLabels } = await import("../src/lib/data/dataset.js");
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) args.set(argv[i] as string, argv[i + 1] as string);
  const out = args.get("--out");
  if (!out) {
    process.stderr.write(
      "usage: npx tsx loaders/layers-models.ts --out <dir> [--epochs 1] [--limit-train 0] [--models cnn,…]\n",
    );
    return 2;
  }
  const epochs = Number(args.get("--epochs") ?? 1);
  const limit = Number(args.get("--limit-train") ?? 0);
  const names = (args.get("--models") ?? LAYERS_MODELS.join(",")).split(",") as LayersModelName[];
  await initBackend("wasm");
  const data = loadDataset("mnist");
  const count = limit > 0 ? Math.min(limit, data.train.count) : data.train.count;
  const indices = Int32Array.from({ length: count }, (_, i) => i);
  const x = batchImages(data.train, indices, data);
  const y = batchLabels(data.train, indices, data.classes);
  for (const name of names) {
    tf.util.assert(LAYERS_MODELS.includes(name), () => `unknown model "${name}" (known: ${LAYERS_MODELS.join(", ")})`);
    const model = buildLayersModel(name, [data.height, data.width, data.channels], data.classes);
    setSeededWeights(model, 0);
    const softmax = endsWithSoftmax(model);
    model.compile({
      optimizer: tf.train.adam(0.003),
      loss: softmax ? "categoricalCrossentropy" : (t: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(t, p),
      metrics: ["accuracy"],
    });
    const started = performance.now();
    await model.fit(x, y, {
      epochs,
      batchSize: 128,
      // MNIST's training order is already mixed; no shuffle keeps the run reproducible.
      shuffle: false,
      verbose: 0,
      callbacks: {
        onEpochEnd: async (epoch, logs) => {
          process.stderr.write(
            `${name}: epoch ${epoch + 1}/${epochs} loss ${logs?.loss?.toFixed(4)} accuracy ${logs?.acc?.toFixed(4)}\n`,
          );
        },
      },
    });
    const path = writeModelFiles(resolve(out, name), await saveArtifacts(model));
    process.stderr.write(
      `${name}: trained in ${((performance.now() - started) / 1000).toFixed(0)} s, written to ${path}\n`,
    );
    model.dispose();
  }
  tf.dispose([x, y]);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.exitCode = await main(process.argv.slice(2));
}
