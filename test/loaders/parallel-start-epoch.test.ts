/** The data-parallel engine forwards the trainer's startEpoch to every worker's model (e.g. LHC's mask schedule). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ParallelTrainer } from "../../loaders/parallel/trainer.js";
import { resolveSettings } from "../../src/lib/train/settings.js";
import { initBackend } from "../../loaders/backend.js";
import { loadDataset } from "../../loaders/datasets.js";
import { createModel } from "../../src/lib/models/registry.js";
import { evaluateSums, summarizeEvaluation } from "../../src/lib/train/evaluate.js";
import { limitedSplits } from "../../src/lib/train/local.js";

const PROBE = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), "fixtures", "epoch-probe-model.ts")).href;

test("ParallelTrainer.startEpoch calls every worker's model hook before the epoch", async () => {
  const settings = resolveSettings({ limitTrain: 64, limitTest: 32, epochs: 1 });
  const engine = await ParallelTrainer.start({
    workers: 2,
    backend: "cpu",
    model: { name: "epoch-probe" },
    dataset: "mnist",
    datasetOptions: {},
    settings,
    preload: [PROBE],
  });
  // The same model in this thread, for the expected test loss once the hook has run.
  await initBackend("cpu");
  await import(PROBE);
  const dataset = loadDataset("mnist");
  const local = createModel({ name: "epoch-probe" }, { height: 28, width: 28, channels: 1, classes: 10 }, 0);
  try {
    assert.deepEqual([...(await engine.weights())], [0]);
    await engine.startEpoch(3, 5);
    assert.deepEqual([...(await engine.weights())], [35]); // worker 0
    // Each worker evaluates half of the test split: the loss matches only if both ran the hook.
    local.startEpoch!(3, 5);
    const expected = summarizeEvaluation([evaluateSums(local, limitedSplits(dataset, settings).test, dataset)]);
    const got = await engine.evaluate();
    assert.ok(Math.abs(got.loss - expected.loss) < 1e-5, `loss ${got.loss} vs ${expected.loss}`);
    assert.notEqual(
      expected.loss,
      summarizeEvaluation([
        evaluateSums(
          createModel({ name: "epoch-probe" }, { height: 28, width: 28, channels: 1, classes: 10 }, 0),
          limitedSplits(dataset, settings).test,
          dataset,
        ),
      ]).loss,
    );
    await engine.startEpoch(1, 5);
    assert.deepEqual([...(await engine.weights())], [15]);
  } finally {
    local.dispose();
    await engine.close();
  }
});
