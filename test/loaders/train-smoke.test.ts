/** The training CLI end to end: a tiny 2-worker run through the real loader path. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import "@tensorflow/tfjs"; // registers the gradients (tfjs-core's Node bundle has none)
import { initBackend } from "../../loaders/backend.js";
import { loadDataset } from "../../loaders/datasets.js";
import { readWeightsFile } from "../../loaders/train-weights.js";
import { createModel } from "../../src/lib/models/registry.js";
import { evaluateSums, summarizeEvaluation } from "../../src/lib/train/evaluate.js";
import { assignWeights } from "../../src/lib/io/weights-file.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "loaders", "train.ts");
const train = (args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });

test("train CLI: tiny 2-worker run prints progress and a result JSON, writes a valid weights file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "train-smoke-"));
  try {
    const out = join(dir, "weights.json");
    const run = train([
      "--model",
      "reference",
      "--dataset",
      "mnist",
      "--epochs",
      "1",
      "--seed",
      "3",
      "--limit-train",
      "512",
      "--limit-test",
      "200",
      "--workers",
      "2",
      "--out",
      out,
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /epoch 1\/1 step 4\/4 loss \d+\.\d+ \d+ img\/s ETA \d+s/);
    assert.match(run.stderr, /epoch 1 done: .*test accuracy \d+\.\d+%/);

    const result = JSON.parse(run.stdout);
    assert.deepEqual(result.model, { name: "reference" });
    assert.deepEqual(result.dataset, {
      name: "mnist",
      height: 28,
      width: 28,
      channels: 1,
      classes: 10,
      trainCount: 512,
      testCount: 200,
    });
    assert.equal(result.seed, 3);
    assert.equal(result.workers, 2);
    assert.equal(result.backend, "wasm");
    assert.equal(result.settings.batchSize, 128);
    assert.equal(result.settings.limitTrain, 512);
    assert.equal(result.epochs.length, 1);
    const epoch = result.epochs[0];
    for (const key of [
      "learningRate",
      "trainLoss",
      "testLoss",
      "testAccuracy",
      "trainSeconds",
      "evalSeconds",
      "imagesPerSecond",
    ]) {
      assert.equal(typeof epoch[key], "number", key);
      assert.ok(Number.isFinite(epoch[key]) && epoch[key] >= 0, key);
    }
    assert.ok(epoch.testAccuracy >= 0 && epoch.testAccuracy <= 1);
    assert.equal(result.final.testAccuracy, epoch.testAccuracy);
    assert.equal(result.final.testCount, 200);
    for (const key of ["totalSeconds", "startupSeconds", "trainSeconds", "evalSeconds", "imagesPerSecond"]) {
      assert.ok(result.timing[key] > 0, `timing.${key}`);
    }
    assert.ok(result.memory.peakRssBytes > 0);
    assert.equal(result.weightsPath, out);

    // Atomic write: the file and nothing else (no temporary left behind).
    assert.deepEqual(readdirSync(dir), ["weights.json"]);
    const file = readWeightsFile(out);
    assert.deepEqual(file.model, { name: "reference" });
    assert.deepEqual(
      file.parameters.map((p) => p.name),
      [
        "conv1.weight",
        "conv1.bias",
        "conv2.weight",
        "conv2.bias",
        "conv3.weight",
        "conv3.bias",
        "dense.weight",
        "dense.bias",
      ],
    );

    // The saved weights reproduce the reported test accuracy.
    await initBackend();
    const dataset = loadDataset("mnist");
    const model = createModel(file.model, file.input, 0);
    assignWeights(model, file.parameters, out);
    const evaluation = summarizeEvaluation([evaluateSums(model, dataset.test, dataset, { end: 200 })]);
    model.dispose();
    assert.equal(evaluation.accuracy, result.final.testAccuracy);
    assert.ok(Math.abs(evaluation.loss - result.final.testLoss) < 1e-4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("train CLI: --help, and usage errors exit with code 2 naming the problem", () => {
  const help = train(["--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: npx tsx loaders\/train\.ts --model <name>/);
  assert.match(help.stdout, /--limit-train/);
  const cases: [string[], RegExp][] = [
    [["--model", "reference", "--bogus"], /unknown option "--bogus"/],
    [["--model", "nope"], /unknown model "nope"/],
    [["--model", "reference", "--epochs", "two"], /--epochs: "two" is not a decimal number/],
    [["--model", "reference", "--epochs", "1.5"], /--epochs: "1.5" is not an integer/],
    [["--model", "reference", "--optimizer", "rmsprop"], /optimizer must be "adam" or "sgd"/],
    [["--model", "reference", "--out"], /--out needs a value/],
    [["--epochs", "1"], /--model is required/],
  ];
  for (const [args, message] of cases) {
    const run = train(args);
    assert.equal(run.status, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.equal(run.stdout, "");
  }
});
