/** The training CLI's argument parsing (no training): decimal numbers only, clear usage errors. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseTrainArgs, UsageError } from "../../loaders/train.js";

test("numbers are decimal: --lr 0x10 is refused, not read as 16", () => {
  assert.throws(() => parseTrainArgs(["--model", "reference", "--lr", "0x10"]), {
    name: "Error",
    message: '--lr: "0x10" is not a decimal number',
  });
  assert.throws(() => parseTrainArgs(["--model", "reference", "--epochs", "1e0x"]), UsageError);
  assert.throws(() => parseTrainArgs(["--model", "reference", "--seed", "1.5"]), /--seed: "1.5" is not an integer/);
  const ok = parseTrainArgs(["--model", "reference", "--lr=1e-3", "--epochs", "2"])!;
  assert.equal(ok.settings?.learningRate, 0.001);
  assert.equal(ok.settings?.epochs, 2);
});

test("--out is checked before anything trains: missing folder, a folder, an empty path", async () => {
  const { mkdtempSync, mkdirSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const { runTrainJob } = await import("../../loaders/train-job.js");
  const dir = mkdtempSync(join(tmpdir(), "il-out-"));
  mkdirSync(join(dir, "taken"));
  const lines: string[] = [];
  const job = (out: string) =>
    runTrainJob({
      model: { name: "reference" },
      dataset: "mnist",
      out,
      log: (l) => lines.push(l),
      settings: { epochs: 1 },
    });
  await assert.rejects(job(join(dir, "no-such-folder", "w.json")), /no-such-folder does not exist/);
  await assert.rejects(job(join(dir, "taken")), /taken is a folder, not a file/);
  await assert.rejects(job(""), /--out: the path is empty/);
  assert.deepEqual(lines, [], "nothing was loaded or trained");
});
