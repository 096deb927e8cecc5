/** The converter CLI end to end: the four test models, a fine-tune that writes a weights file, and bad inputs. */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../loaders/backend.js";
import { loadDataset } from "../../loaders/datasets.js";
import {
  buildLayersModel,
  LAYERS_MODELS,
  saveArtifacts,
  setSeededWeights,
  writeModelFiles,
} from "../../loaders/layers-models.js";
import { readLayersModelFiles } from "../../loaders/convert.js";
import { headOfSplit } from "../../src/lib/data/dataset.js";
import { planNetFromBytes } from "../../src/lib/live/graph-session.js";
import { evaluateSums, summarizeEvaluation } from "../../src/lib/train/evaluate.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "loaders", "convert.ts");
const convert = (args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });

const HIDDEN: Record<string, string[]> = {
  cnn: ["conv1", "conv2", "fc1"],
  residual: ["stem", "b1_conv1", "b2_conv1", "b2_conv2"],
  inception: ["stem", "b1_1x1", "b2_reduce", "b2_3x3", "b3_reduce", "b3_5x5", "b4_1x1", "mix"],
  mobilenet: ["stem", "block1_pw", "block2_pw"],
};

let dir: string;

before(async () => {
  await initBackend("cpu");
  dir = mkdtempSync(join(tmpdir(), "convert-cli-"));
  for (const name of LAYERS_MODELS) {
    const model = buildLayersModel(name);
    setSeededWeights(model, 21, true);
    writeModelFiles(join(dir, name), await saveArtifacts(model));
    model.dispose();
  }
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
});

for (const name of LAYERS_MODELS) {
  test(`convert CLI: ${name} → groups, exact full size, accuracy of the integral net and the L1-pruned original at 100/75/50/25%`, () => {
    const run = convert(["--model", join(dir, name, "model.json"), "--limit-test", "200"]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /convert: ordering the \d+ channels of group/);
    assert.match(run.stderr, /L1-pruned original at 50%: \d+\.\d+%/);
    const result = JSON.parse(run.stdout);
    assert.equal(result.format, "integral-lab/conversion");
    assert.deepEqual(
      result.groups.filter((g: { resizable: boolean }) => g.resizable).map((g: { id: string }) => g.id),
      HIDDEN[name],
    );
    assert.deepEqual(
      result.groups
        .filter((g: { resizable: boolean }) => !g.resizable)
        .map((g: { id: string }) => g.id)
        .slice(0, 2),
      ["image", "classes"],
    );
    assert.ok(result.fullSize.relativeDifference < 1e-5, `relative difference ${result.fullSize.relativeDifference}`);
    assert.equal(result.dataset.testCount, 200);
    assert.deepEqual(
      result.points.map((p: { fraction: number }) => p.fraction),
      [1, 0.75, 0.5, 0.25],
    );
    const [full, ...rest] = result.points;
    assert.equal(full.params, result.fullSize.params);
    assert.equal(full.accuracy.integral, full.accuracy.l1, "at full size both are the original model");
    let previous = full.params;
    for (const p of rest) {
      assert.ok(p.params < previous, `params fall with the fraction (${p.fraction})`);
      previous = p.params;
      assert.ok(p.paramsCompression > 0 && p.paramsCompression < 1);
      for (const a of [p.accuracy.integral, p.accuracy.l1]) assert.ok(a >= 0 && a <= 1);
      for (const g of HIDDEN[name]!)
        assert.equal(
          p.sizes[g],
          Math.max(2, Math.round(p.fraction * result.groups.find((e: { id: string }) => e.id === g).size)),
        );
    }
    assert.equal(result.fineTune, null);
  });
}

test("convert CLI: --fine-tune-epochs 1 fine-tunes on random sizes (2 workers) and --out writes a weights file the live page reads", async () => {
  const out = join(dir, "cnn.weights.json");
  const run = convert([
    "--model",
    join(dir, "cnn", "model.json"),
    "--fine-tune-epochs",
    "1",
    "--limit-train",
    "256",
    "--limit-test",
    "200",
    "--workers",
    "2",
    "--out",
    out,
  ]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /fine-tune: epoch 1 done/);
  const result = JSON.parse(run.stdout);
  assert.equal(result.fineTune.epochs, 1);
  assert.equal(result.fineTune.recipe, "innInit");
  assert.equal(result.fineTune.settings.limitTrain, 256);
  for (const p of result.points) assert.ok(p.accuracy.fineTuned >= 0 && p.accuracy.fineTuned <= 1);
  assert.equal(result.weightsPath, out);
  // The file is a plan net with its statistics: at full size it scores what the CLI reported.
  const net = planNetFromBytes(new Uint8Array(readFileSync(out)), "cnn.weights.json");
  try {
    assert.deepEqual(net.hiddenGroups, HIDDEN.cnn);
    const mnist = loadDataset("mnist");
    const accuracy = summarizeEvaluation([evaluateSums(net, headOfSplit(mnist.test, 200, mnist), mnist)]).accuracy;
    assert.equal(accuracy, result.points[0].accuracy.fineTuned);
  } finally {
    net.dispose();
  }
});

test("convert CLI: bad inputs exit 1 with the problem named; usage errors exit 2", async () => {
  const broken = join(dir, "broken");
  const model = buildLayersModel("cnn");
  writeModelFiles(broken, await saveArtifacts(model));
  model.dispose();
  unlinkSync(join(broken, "weights.bin"));
  let run = convert(["--model", join(broken, "model.json")]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /model\.json: weights file "weights\.bin" \(named in the manifest\) is not at /);

  const rgb = tf.sequential();
  rgb.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 4, kernelSize: 3 }));
  rgb.add(tf.layers.globalAveragePooling2d({}));
  rgb.add(tf.layers.dense({ units: 10 }));
  writeModelFiles(join(dir, "rgb"), await saveArtifacts(rgb));
  rgb.dispose();
  run = convert(["--model", join(dir, "rgb", "model.json")]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /wrong input shape: the model takes 32×32×3 images, the dataset's are 28×28×1/);

  const odd = tf.sequential();
  odd.add(tf.layers.conv2d({ name: "c", inputShape: [28, 28, 1], filters: 4, kernelSize: 3 }));
  odd.add(tf.layers.upSampling2d({ name: "up" }));
  odd.add(tf.layers.flatten({ name: "f" }));
  odd.add(tf.layers.dense({ name: "d", units: 10 }));
  writeModelFiles(join(dir, "odd"), await saveArtifacts(odd));
  odd.dispose();
  run = convert(["--model", join(dir, "odd", "model.json")]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /1 layer cannot be converted:\n {2}"up" \(UpSampling2D, layer 2\): not a supported layer/);
  assert.equal(run.stdout, "");

  run = convert(["--dataset", "mnist"]);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--model is required/);
  run = convert(["--model", "x.json", "--fine-tune-epochs", "one"]);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--fine-tune-epochs: "one" is not a non-negative integer/);
  run = convert(["--help"]);
  assert.equal(run.status, 0);
  assert.match(run.stdout, /--fine-tune-epochs <n>/);
});

test("readLayersModelFiles checks the manifest before it opens a weights file", async () => {
  const at = join(dir, "bad-manifest");
  const model = buildLayersModel("cnn");
  const path = writeModelFiles(at, await saveArtifacts(model));
  model.dispose();
  const json = JSON.parse(readFileSync(path, "utf8"));
  json.weightsManifest[0].weights[0].shape = [3, 3, 1, -8];
  // The weights file it names is gone too: the manifest's own defect is what gets reported.
  json.weightsManifest[0].paths = ["missing.bin"];
  writeFileSync(path, JSON.stringify(json));
  assert.throws(
    () => readLayersModelFiles(path),
    (e: Error) =>
      e.message === `${path}: weight "conv1/kernel" has shape [3,3,1,-8]: dims must be non-negative integers`,
  );
  // A wrong kernel shape: named against the layer, before the weights file's length.
  json.weightsManifest[0].paths = ["weights.bin"];
  json.weightsManifest[0].weights[0].shape = [5, 5, 1, 8];
  writeFileSync(path, JSON.stringify(json));
  assert.throws(
    () => readLayersModelFiles(path),
    (e: Error) =>
      /: weight "conv1\/kernel" expects \[3,3,1,\d+\], got \[5,5,1,8\]$/.test(e.message) && e.message.startsWith(path),
  );
  json.weightsManifest[0].weights[0] = null;
  writeFileSync(path, JSON.stringify(json));
  assert.throws(
    () => readLayersModelFiles(path),
    (e: Error) => e.message === `${path}: weight 1 of weights group 1 is null, not a {name, shape, dtype} entry`,
  );
});
