/**
 * Choosing the engine: without the addon (a failed or missing build) training falls back to wasm with one
 * stderr notice saying how to get the native engine, and asking for native explicitly fails naming the
 * reason; INTEGRAL_LAB_ENGINE picks one and a bad value is named; the install script never fails the
 * install; a short training run reaches the same accuracy on both engines (within float-order noise).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "loaders", "train.ts");
const MISSING_ADDON = join(tmpdir(), "integral-lab-no-such-addon", "addon.node");

function train(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 300_000,
    env: { ...process.env, INTEGRAL_LAB_ENGINE: "", ...env },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const TINY = ["--model", "reference", "--epochs", "1", "--limit-train", "256", "--limit-test", "100", "--workers", "1"];

test("without the addon: wasm with one notice naming the fix; --engine native fails naming the reason", () => {
  const fallback = train([...TINY, "--quiet"], { INTEGRAL_LAB_NATIVE_ADDON: MISSING_ADDON });
  assert.equal(fallback.status, 0, fallback.stderr);
  const notices = fallback.stderr.split("\n").filter((l) => /engine/.test(l));
  assert.equal(notices.length, 1, fallback.stderr);
  assert.match(notices[0], /^training on the wasm engine: the native addon did not load \(.*\)\. /);
  assert.match(notices[0], /apt-get install -y libdnnl-dev, then npm rebuild integral-lab-native/);
  assert.deepEqual(JSON.parse(fallback.stdout).engine, { name: "wasm" });

  const explicit = train([...TINY, "--engine", "native"], { INTEGRAL_LAB_NATIVE_ADDON: MISSING_ADDON });
  assert.equal(explicit.status, 1);
  assert.match(explicit.stderr, /train: the native engine is unavailable: the native addon did not load/);
  assert.equal(explicit.stdout, "");
});

test("INTEGRAL_LAB_ENGINE chooses the engine, is recorded in the result, and a bad value is named", () => {
  const wasm = train([...TINY, "--quiet"], { INTEGRAL_LAB_ENGINE: "wasm" });
  assert.equal(wasm.status, 0, wasm.stderr);
  assert.equal(wasm.stderr, "", "no notice when wasm is asked for");
  assert.deepEqual(JSON.parse(wasm.stdout).engine, { name: "wasm" });
  const bad = train(TINY, { INTEGRAL_LAB_ENGINE: "gpu" });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /INTEGRAL_LAB_ENGINE: "gpu" is not an engine \(native or wasm\)/);
});

test("the addon's install script exits 0 when the build fails, saying training will use wasm", () => {
  const dir = mkdtempSync(join(tmpdir(), "native-build-"));
  try {
    for (const f of ["package.json", "binding.gyp", "build.mjs", "index.cjs", "src"]) {
      cpSync(join(ROOT, "native", f), join(dir, f), { recursive: true });
    }
    const run = spawnSync(process.execPath, ["build.mjs"], {
      cwd: dir,
      encoding: "utf8",
      timeout: 300_000,
      env: { ...process.env, CXX: "false", CC: "false" }, // a compiler that always fails
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stderr,
      /integral-lab-native: build failed \(exit \d+; log in native\/build\/build\.log\); training will use the wasm engine/,
    );
    assert.ok(!existsSync(join(dir, "build", "Release", "integral_lab_native.node")), "no addon left behind");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a short training run reaches the same accuracy on the native and the wasm engine", () => {
  const run = (engine: string) => {
    // 128 steps of 32 images, one worker: about 77% on MNIST (from 10% at initialisation).
    const settings = ["--epochs", "1", "--batch", "32", "--limit-train", "4096", "--limit-test", "1000"];
    const r = train(["--model", "reference", ...settings, "--workers", "1", "--engine", engine, "--quiet"]);
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.engine.name, engine);
    return result.final.testAccuracy as number;
  };
  const native = run("native");
  const wasm = run("wasm");
  assert.ok(native > 0.6 && wasm > 0.6, `both train: native ${native}, wasm ${wasm}`);
  assert.ok(Math.abs(native - wasm) <= 0.02, `native ${native} vs wasm ${wasm}: more than float-order noise`);
});
