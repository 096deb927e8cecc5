/**
 * The sweep through its real loader path (quick profile): outputs parse, the curves schema holds, every
 * landed method is present with accuracies in range, the integral net beats L1 pruning at 50% parameter
 * compression and at 25% of the channels, the model files load and reproduce the curves' full-size accuracy, the evalset verifies.
 * The quick job lands in the default job cache, which the e2e build (test/e2e/build-site.ts) reuses.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import "@tensorflow/tfjs"; // registers the gradients
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../loaders/backend.js";
import { loadDataset } from "../../loaders/datasets.js";
import { PROJECT_ROOT } from "../../loaders/sweep/job.js";
import { CURVES_FORMAT, CURVES_VERSION, type CurvesFile } from "../../loaders/sweep/curves.js";
import { decodeModelFile, loadContinuousModel } from "../../src/lib/io/model-file.js";
import { accuracyAtCompression, checkCurvesFile } from "../../src/lib/views/curves.js";
import { decodeEvalSet } from "../../src/lib/data/evalset.js";
import { headOfSplit } from "../../src/lib/data/dataset.js";
import { evaluateSums, summarizeEvaluation } from "../../src/lib/train/evaluate.js";

function runLoader(path: string, env: Record<string, string> = {}, args: string[] = []) {
  const run = spawnSync(process.execPath, ["--import", "tsx", path, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, INTEGRAL_LAB_PROFILE: "quick", ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 900_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr.toString("utf8") };
}

const EXPECTED_REFERENCE = [
  "discrete-l1",
  "discrete-random",
  "inn-scratch",
  "converted",
  "inn-init",
  "inn-grid-tuned",
  "ssc",
];

test("quick sweep via the loaders: curves schema, every method, INN above pruning at 50% compression and at 25% of the channels, model files, evalset", async () => {
  const curvesRun = runLoader("src/data/curves.json.ts");
  assert.equal(curvesRun.status, 0, curvesRun.stderr.slice(-3000));
  assert.match(curvesRun.stderr, /\[sweep\]/, "progress goes to stderr");
  const text = curvesRun.stdout.toString("utf8");
  const curves = JSON.parse(text) as CurvesFile;
  assert.equal(curves.format, CURVES_FORMAT);
  assert.equal(curves.version, CURVES_VERSION);
  assert.equal(curves.profile.name, "quick");
  assert.equal(curves.dataset.name, "mnist");
  assert.deepEqual(
    [curves.dataset.height, curves.dataset.width, curves.dataset.channels, curves.dataset.classes],
    [28, 28, 1, 10],
  );
  assert.equal(curves.dataset.testCount, curves.profile.limitTest);
  assert.ok(!/seconds|imagesPerSecond/.test(text), "no timings in the curves file");

  const reference = curves.families.find((f) => f.id === "reference");
  assert.ok(reference, "reference family");
  const ids = reference.methods.map((m) => m.id);
  for (const id of EXPECTED_REFERENCE) assert.ok(ids.includes(id), `method ${id} present (have ${ids.join(", ")})`);
  assert.ok(
    ids.some((id) => /^lhc-0\.\d+$/.test(id)),
    "an LHC point",
  );
  assert.ok(
    ids.some((id) => /^igpc-ch\d+$/.test(id)),
    "an IGPC point",
  );
  for (const family of curves.profile.families.names) {
    const f = curves.families.find((x) => x.id === family);
    assert.ok(f, `family ${family}`);
    assert.deepEqual(f.methods.map((m) => m.id).sort(), ["discrete-l1", "inn-scratch", "sinn"]);
    const sinn = f.methods.find((m) => m.id === "sinn")!;
    const inn = f.methods.find((m) => m.id === "inn-scratch")!;
    const l1 = f.methods.find((m) => m.id === "discrete-l1")!;
    assert.ok(sinn.points[0].flops < inn.points[0].flops, "SINN is cheaper than INN at full size");
    // The pruned discrete net is the family's full net at 100%, and its INN's sizes at every fraction.
    assert.equal(l1.points[0].paramsCompression, 0, `${family}: L1 at 100% is the full discrete net`);
    assert.deepEqual(
      l1.points.map((p) => p.sizes),
      inn.points.map((p) => p.sizes),
      `${family}: L1 pruning and the INN are compared at the same sizes`,
    );
  }

  for (const f of curves.families) {
    assert.ok(f.full.params > 0 && f.full.flops > 0);
    for (const m of f.methods) {
      assert.ok(m.seeds.length >= 1 && m.training.length === m.seeds.length, `${m.id}: seeds and settings`);
      assert.ok(
        m.points.length === (m.kind === "trained" ? 1 : curves.fractions.length),
        `${f.id}/${m.id}: ${m.points.length} points`,
      );
      for (const p of m.points) {
        assert.ok(
          p.accuracy.mean >= 0 &&
            p.accuracy.mean <= 1 &&
            p.accuracy.min <= p.accuracy.mean &&
            p.accuracy.mean <= p.accuracy.max,
          `${m.id} accuracy in range`,
        );
        assert.ok(p.accuracy.std >= 0 && p.accuracy.n >= m.seeds.length);
        assert.ok(p.paramsCompression < 1 && p.flopsCompression < 1 && p.params > 0 && p.flops > 0);
        assert.ok(Object.values(p.sizes).every((s) => Number.isInteger(s) && s >= 1));
      }
      if (m.kind !== "trained") {
        // Fewer channels, more compression.
        for (let i = 1; i < m.points.length; i++)
          assert.ok(m.points[i].paramsCompression > m.points[i - 1].paramsCompression, `${m.id}: compression grows`);
      }
      if (m.kind === "trained") assert.ok(m.points[0].paramsCompression > 0, `${m.id} is smaller than the dense net`);
    }
  }
  // The page's reader accepts the file (it validates learned partitions), and grid tuning published what it learned.
  assert.equal(checkCurvesFile(JSON.parse(text), "curves.json").version, CURVES_VERSION);
  const grid = reference.methods.find((m) => m.id === "inn-grid-tuned")!;
  for (const p of grid.points) {
    assert.deepEqual(
      Object.keys(p.partitions ?? {}).sort(),
      ["conv1", "conv2", "conv3"],
      `grid-tuned point at ${p.fraction} has its learned partitions`,
    );
    for (const [g, xs] of Object.entries(p.partitions!))
      assert.equal(xs.length, p.sizes[g], `${g} at ${p.fraction}: one point per channel`);
  }
  const moved = grid.points.flatMap((p) =>
    Object.values(p.partitions!).map((xs) =>
      Math.max(...xs.map((x, i) => Math.abs(x - (-1 + (2 * i) / (xs.length - 1))))),
    ),
  );
  assert.ok(
    Math.max(...moved) > 1e-4,
    `grid tuning moved some points off the uniform grid (largest move ${Math.max(...moved)})`,
  );
  assert.ok(
    reference.methods
      .filter((m) => m.id !== "inn-grid-tuned")
      .every((m) => m.points.every((p) => p.partitions === undefined)),
    "only grid tuning has partitions",
  );
  // LHC points publish their learnt masks (checked by the reader above); no other method has them.
  for (const m of reference.methods) {
    const masks = m.points[0].lhcMasks;
    if (!m.id.startsWith("lhc-")) {
      assert.equal(masks, undefined, `${m.id} has no LHC masks`);
      continue;
    }
    assert.deepEqual(
      masks!.layers.map((l) => [l.name, l.kernelSize, l.tiles.length]),
      [
        ["conv1", 3, 16],
        ["conv2", 5, 512],
        ["conv3", 5, 2048],
      ],
    );
    assert.equal(masks!.weightDensity, m.points[0].weightDensity);
    assert.ok(
      masks!.layers.some((l) => l.tiles.some((t) => t.includes("0"))),
      `${m.id}: some taps were dropped`,
    );
  }
  // SSC trains (it reached 16% before its taps were balanced and its stages got a point-wise layer).
  assert.ok(reference.methods.find((m) => m.id === "ssc")!.points[0].accuracy.mean > 0.4, "SSC trains");
  const innTraining = reference.methods.find((m) => m.id === "inn-scratch")!.training[0] as {
    trainingRanges?: Record<string, { min: number; max: number }>;
  };
  assert.deepEqual(innTraining.trainingRanges?.conv3, { min: 16, max: 64 });
  const at = (id: string, fraction: number) =>
    reference.methods.find((m) => m.id === id)!.points.find((p) => p.fraction === fraction)!.accuracy.mean;
  // Where resampling beats pruning: at 50% parameter compression (read off each curve between the points
  // around it, ~70% of the channels) and at the smallest size (25% of the channels, ~93% compression).
  const at50 = (id: string) =>
    accuracyAtCompression(
      reference.methods.find((m) => m.id === id)!,
      0.5,
    )!;
  assert.ok(
    at50("inn-scratch") > at50("discrete-l1") + 0.01,
    `INN ${at50("inn-scratch")} > L1 ${at50("discrete-l1")} + 1 point at 50% compression`,
  );
  assert.ok(
    at("inn-scratch", 0.25) > at("discrete-l1", 0.25) + 0.1,
    `INN ${at("inn-scratch", 0.25)} > L1 ${at("discrete-l1", 0.25)} at 25%`,
  );
  assert.ok(at("inn-scratch", 0.25) > at("discrete-random", 0.25), "INN above random pruning at 25%");
  assert.ok(at("discrete-l1", 1) > 0.8, `the discrete net trains (${at("discrete-l1", 1)})`);
  assert.ok(at("inn-scratch", 1) > 0.5, `the integral net trains (${at("inn-scratch", 1)})`);
  for (const model of reference.models.filter((m) => m.model === "reference" || m.model === "reference-inn")) {
    assert.deepEqual(Object.keys(model.deadChannels ?? {}), ["conv1", "conv2", "conv3"]);
  }

  // Model files: a second loader reuses the job; the INN file reproduces the curve's full-size accuracy.
  await initBackend("wasm");
  const dataset = loadDataset("mnist");
  const test = headOfSplit(dataset.test, curves.dataset.testCount, dataset);
  const tensorsBefore = tf.memory().numTensors;
  for (const [name, method] of [
    ["reference-inn", "inn-scratch"],
    ["reference", "discrete-l1"],
  ] as const) {
    const run = runLoader(`src/data/models/${name}.model.ts`);
    assert.equal(run.status, 0, run.stderr.slice(-2000));
    assert.match(run.stderr, /reusing/, `${name}.model reuses the sweep job`);
    const file = decodeModelFile(new Uint8Array(run.stdout), `${name}.model`);
    const model = loadContinuousModel(file, `${name}.model`);
    const accuracy = summarizeEvaluation([evaluateSums(model, test, dataset)]).accuracy;
    model.dispose();
    const curve = reference.methods.find((m) => m.id === method)!.points[0].runs[0].accuracies[0];
    assert.ok(Math.abs(accuracy - curve) < 1e-3, `${name}: loaded ${accuracy} vs curve ${curve}`);
    assert.equal(file.manifest.training?.seed, curves.profile.seeds[0]);
  }
  assert.equal(tf.memory().numTensors, tensorsBefore);

  const evalRun = runLoader("src/data/mnist-test.evalset.ts");
  assert.equal(evalRun.status, 0, evalRun.stderr);
  const evalset = decodeEvalSet(new Uint8Array(evalRun.stdout), "mnist-test.evalset");
  assert.equal(evalset.count, 10000);
  assert.deepEqual(Array.from(evalset.labels.subarray(0, 20)), Array.from(dataset.test.labels.subarray(0, 20)));
});
