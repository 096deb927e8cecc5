/**
 * The sweep job's cache and failure behaviour on a tiny profile (seconds, not minutes): a corrupt dataset
 * fails the loader with a clear message and leaves no output; unchanged options reuse the job, changed
 * options rerun it; the same seed and profile give byte-identical curves; scripts/build.ts's key changes
 * with the code and the profile and only then.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { defaultMnistDir, STANDARD_FILES } from "../../loaders/datasets.js";
import {
  ensureSweepJob,
  nearChanceWarnings,
  PROJECT_ROOT,
  sweepJobPath,
  sweepOutput,
} from "../../loaders/sweep/job.js";
import type { SweepProfile } from "../../loaders/sweep/profiles.js";
import { decodeModelFile } from "../../src/lib/io/model-file.js";

const TINY: SweepProfile = {
  name: "tiny",
  seeds: [0],
  fractions: [1, 0.5],
  limitTrain: 256,
  limitTest: 200,
  epochs: { discrete: 1, inn: 1, innInit: 1, gridTuning: 1 },
  innTraining: {},
  randomPruningDraws: 1,
  gridTuningImages: 128,
  methodNets: { limitTrain: 128, epochs: 1, lhcDensities: [], lhcMaskEpochs: 1, igpcChannelsPerGroup: [], ssc: false },
  families: { names: [], limitTrain: 128, epochs: 1 },
  workers: 2,
};

const quiet = () => {};

test("a corrupt dataset fails the parameterised loader with a clear message and leaves no output", () => {
  const root = mkdtempSync(join(tmpdir(), "sweep-fail-"));
  try {
    const dataDir = join(root, "data");
    const broken = join(dataDir, "broken");
    mkdirSync(broken, { recursive: true });
    for (const base of Object.values(STANDARD_FILES)) cpSync(join(defaultMnistDir(), base), join(broken, base));
    writeFileSync(
      join(broken, STANDARD_FILES.testImages),
      readFileSync(join(broken, STANDARD_FILES.testImages)).subarray(0, 5000),
    ); // truncated
    const cache = join(root, "cache");
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/data/[dataset]/curves.json.ts", "--dataset=broken"],
      {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
        timeout: 300_000,
        env: {
          ...process.env,
          INTEGRAL_LAB_PROFILE: "quick",
          INTEGRAL_LAB_DATA_DIR: dataDir,
          INTEGRAL_LAB_JOB_CACHE: cache,
        },
      },
    );
    assert.notEqual(run.status, 0);
    assert.equal(run.stdout, "", "nothing on stdout");
    assert.match(run.stderr, /error: sweep of dataset "broken" \(profile quick\) failed: .*t10k-images-idx3-ubyte/);
    const left = existsSync(cache) ? readdirSync(cache) : [];
    assert.ok(
      left.every((name) => name.endsWith(".failed")),
      `no job or temporary directory left: ${left.join(", ")}`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("unchanged options reuse the job, changed options rerun it, equal runs are byte-identical", async () => {
  const root = mkdtempSync(join(tmpdir(), "sweep-cache-"));
  try {
    const cacheA = join(root, "a");
    const first = await ensureSweepJob({
      dataset: "mnist",
      profile: TINY,
      cacheDir: cacheA,
      engine: "native",
      log: quiet,
    });
    const written = statSync(join(first, "curves.json")).mtimeMs;
    const logs: string[] = [];
    const again = await ensureSweepJob({
      dataset: "mnist",
      profile: TINY,
      cacheDir: cacheA,
      engine: "native",
      log: (l) => logs.push(l),
    });
    assert.equal(again, first);
    assert.ok(
      logs.some((l) => /reusing/.test(l)),
      "second call reuses",
    );
    assert.equal(statSync(join(first, "curves.json")).mtimeMs, written, "not rewritten");
    assert.deepEqual(readdirSync(first).sort(), [
      "curves.json",
      "job.json",
      "reference-inn.model",
      "reference.model",
      "timings.json",
    ]);

    const changed = { ...TINY, limitTrain: 200 };
    assert.notEqual(
      sweepJobPath({ dataset: "mnist", profile: changed, cacheDir: cacheA }).dir,
      first,
      "changed options, another job",
    );
    const rerun = await ensureSweepJob({ dataset: "mnist", profile: changed, cacheDir: cacheA, log: quiet });
    assert.notEqual(rerun, first);
    const curves = JSON.parse(readFileSync(join(rerun, "curves.json"), "utf8"));
    assert.equal(curves.profile.limitTrain, 200);
    assert.equal(
      curves.families[0].methods.find((m: { id: string }) => m.id === "discrete-l1").training[0].settings.limitTrain,
      200,
    );

    // Determinism: the same profile and engine in a fresh cache give the same bytes.
    const other = await ensureSweepJob({
      dataset: "mnist",
      profile: TINY,
      cacheDir: join(root, "b"),
      engine: "native",
      log: quiet,
    });
    assert.ok(
      readFileSync(join(other, "curves.json")).equals(readFileSync(join(first, "curves.json"))),
      "byte-identical curves",
    );
    assert.ok(
      readFileSync(join(other, "reference-inn.model")).equals(readFileSync(join(first, "reference-inn.model"))),
      "byte-identical model file",
    );
    // The engine is recorded and keyed: the wasm engine's run is another job, with its own record.
    const firstCurves = JSON.parse(readFileSync(join(first, "curves.json"), "utf8"));
    assert.equal(firstCurves.engine.name, "native");
    assert.ok(firstCurves.engine.threads >= 1 && typeof firstCurves.engine.onednn === "string", firstCurves.engine);
    const model = decodeModelFile(
      new Uint8Array(readFileSync(join(first, "reference-inn.model"))),
      "reference-inn.model",
    );
    assert.deepEqual(model.manifest.training?.engine, firstCurves.engine, "the model file records the engine");
    const wasm = await ensureSweepJob({
      dataset: "mnist",
      profile: TINY,
      cacheDir: cacheA,
      engine: "wasm",
      log: quiet,
    });
    assert.notEqual(wasm, first, "another engine, another job");
    assert.deepEqual(JSON.parse(readFileSync(join(wasm, "curves.json"), "utf8")).engine, { name: "wasm" });
    assert.deepEqual(
      readdirSync(cacheA).filter((n) => /tmp|lock/.test(n)),
      [],
    );
    await assert.rejects(
      sweepOutput("nope.bin", { dataset: "mnist", profile: TINY, cacheDir: cacheA, log: quiet }),
      /produced no nope\.bin \(it produced: curves\.json/,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("two concurrent callers share one run (the second waits on the lock)", async () => {
  const root = mkdtempSync(join(tmpdir(), "sweep-lock-"));
  try {
    const profile = { ...TINY, fractions: [1] };
    const logs: string[] = [];
    const [a, b] = await Promise.all([
      ensureSweepJob({ dataset: "mnist", profile, cacheDir: root, log: quiet }),
      new Promise((r) => setTimeout(r, 200)).then(() =>
        ensureSweepJob({ dataset: "mnist", profile, cacheDir: root, log: (l) => logs.push(l) }),
      ),
    ]);
    assert.equal(a, b);
    assert.ok(logs.some((l) => /waiting/.test(l)) && logs.some((l) => /reusing/.test(l)), logs.join("\n"));
    assert.ok(!logs.some((l) => /tasks on/.test(l)), "the second caller trained nothing");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("scripts/build.ts: the loader-inputs key changes with the code, the profile and the engine, and only then", () => {
  const root = mkdtempSync(join(tmpdir(), "build-key-"));
  try {
    for (const dir of ["src/lib", "loaders", "src/data"]) mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, "src/lib/a.ts"), "export const a = 1;\n");
    writeFileSync(join(root, "package-lock.json"), "{}\n");
    const key = (profile: string, engine = "wasm") => {
      const run = spawnSync(
        process.execPath,
        [
          "--import",
          pathToFileURL(join(PROJECT_ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href,
          "-e",
          `import(${JSON.stringify(join(PROJECT_ROOT, "scripts", "build.ts"))}).then((m) => console.log(m.loaderInputsKey(${JSON.stringify(profile)})))`,
        ],
        { cwd: root, encoding: "utf8", env: { ...process.env, INTEGRAL_LAB_ENGINE: engine } },
      );
      assert.equal(run.status, 0, run.stderr);
      return run.stdout.trim();
    };
    const base = key("quick");
    assert.match(base, /^[0-9a-f]{64}$/);
    assert.equal(key("quick"), base, "unchanged inputs, same key");
    assert.notEqual(key("full"), base, "profile is part of the key");
    assert.notEqual(key("quick", "native"), base, "the engine is part of the key");
    writeFileSync(join(root, "src/data/curves.json.ts"), "// loader\n");
    const withLoader = key("quick");
    assert.notEqual(withLoader, base, "a new loader changes the key");
    writeFileSync(join(root, "src/lib/a.ts"), "export const a = 2;\n");
    assert.notEqual(key("quick"), withLoader, "changed library code changes the key");
    writeFileSync(join(root, "src/lib/a.ts"), "export const a = 1;\n");
    assert.equal(key("quick"), withLoader, "restored code, restored key");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a dataset name that is a path is refused before any file is touched; job paths stay in the cache", async () => {
  const root = mkdtempSync(join(tmpdir(), "il-escape-"));
  const cache = join(root, "a", "b");
  for (const dataset of ["../../../escape", "../x", "a/b", ".hidden", "x\u0000y"]) {
    assert.throws(() => sweepJobPath({ dataset, profile: TINY, cacheDir: cache }), /invalid dataset name/, dataset);
    await assert.rejects(
      ensureSweepJob({ dataset, profile: TINY, cacheDir: cache, log: quiet }),
      /invalid dataset name/,
    );
  }
  assert.deepEqual(readdirSync(root), [], "nothing created next to or inside the cache");
  const { dir } = sweepJobPath({ dataset: "mnist", profile: TINY, cacheDir: cache });
  assert.equal(dir.startsWith(join(cache, "sweep-mnist-tiny-")), true);
  rmSync(root, { recursive: true, force: true });
});

test("a small dataset gets the profile's planned images in more epochs; a model near chance is flagged", async () => {
  const { epochsFor, nearChance } = await import("../../loaders/sweep/tasks/common.js");
  assert.equal(epochsFor(2, 16000, 60000), 2, "MNIST-sized data: the profile's epochs");
  assert.equal(epochsFor(2, 0, 1500), 2, "no planned count: the dataset's own epochs");
  assert.equal(epochsFor(2, 16000, 1500), 22, "1,500 images: 22 epochs see 33,000 ≥ 32,000 images");
  assert.equal(epochsFor(1, 6000, 6000), 1);
  assert.equal(nearChance(0.168, 10), true, "16.8% on 10 classes (chance 10%, threshold 19%)");
  assert.equal(nearChance(0.2, 10), false);
  assert.equal(nearChance(0.54, 2), true);
  assert.equal(nearChance(0.7, 2), false);
});

test("the build log warns once per model flagged near chance, from the curves file handed over", () => {
  const curves = {
    dataset: { name: "digits", classes: 10 },
    families: [
      {
        id: "reference",
        methods: [],
        models: [
          { family: "reference", model: "reference", seed: 0, testAccuracy: 0.168, nearChance: true },
          { family: "reference", model: "reference-inn", seed: 0, testAccuracy: 0.61 },
        ],
      },
    ],
  };
  assert.deepEqual(nearChanceWarnings(JSON.stringify(curves)), [
    "[sweep] warning: reference (seed 0) ended at 16.8% on digits, near chance (16.8% ≈ 1/10): too little data or training",
  ]);
});
