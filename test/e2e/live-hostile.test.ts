/**
 * End-to-end checks of the live page against bad files chosen under "Bring your own model" (quick-profile
 * build, Debian's chromium): models for other images or class counts, absurd dimensions, truncated, empty,
 * foreign and malformed files, NaN weights, tfjs models whose weights do not match their manifest, wrong
 * file combinations. Each must be refused with a message naming the file and the problem, leave the page's
 * model and link as they were, and a slider move afterwards must still show that model's accuracy (the
 * figure measured before any bad file, at the same sizes). The same holds while the SINN model is shown.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { decodeModelFile, encodeModelFile, saveContinuousModel } from "../../src/lib/io/model-file.js";
import { createReferenceInn } from "../../src/lib/models/reference-inn.js";
import { ReferenceNet } from "../../src/lib/models/reference.js";
import { readParameters } from "../../src/lib/compression/parameters.js";
import { exportTfjsLayersModel, tfjsModelFiles } from "../../src/lib/io/tfjs-export.js";
import type { Page } from "./browser.js";
import { projectRoot } from "./build-site.js";
import { finalAccuracy, liveSuite } from "./live-helpers.js";

const cacheData = join(projectRoot, "src", ".observablehq", "cache", "data");
const mnist = { height: 28, width: 28, channels: 1, classes: 10 };

interface PickedFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

interface BadCase {
  what: string;
  files: PickedFile[];
  /** The problem the message must state. */
  problem: RegExp;
}

const file = (name: string, bytes: Uint8Array | ArrayBuffer | string): PickedFile => ({
  name,
  mimeType: name.endsWith(".json") ? "application/json" : "application/octet-stream",
  buffer:
    typeof bytes === "string"
      ? Buffer.from(bytes)
      : bytes instanceof ArrayBuffer
        ? Buffer.from(new Uint8Array(bytes))
        : Buffer.from(bytes),
});

const fitProblem = (shown: string) =>
  new RegExp(`the model takes ${shown}, but mnist-test\\.evalset has 28×28×1 images in 10 classes`);

/** A model file of a freshly initialised reference INN for `shape`. */
function modelFileFor(shape: typeof mnist): Uint8Array {
  const inn = createReferenceInn(shape, 0);
  try {
    const f = saveContinuousModel(inn);
    return encodeModelFile(f.manifest, f.blob);
  } finally {
    inn.dispose();
  }
}

/** The reference net for `shape` exported as tfjs layers files. */
function tfjsFilesFor(shape: typeof mnist): { modelJson: string; weightsBin: ArrayBuffer } {
  const net = new ReferenceNet(shape, 3);
  try {
    return tfjsModelFiles(exportTfjsLayersModel(readParameters(net), shape));
  } finally {
    net.dispose();
  }
}

/** Re-encode `bytes` (a model file) after editing its manifest and blob. */
function edited(bytes: Uint8Array, edit: (f: ReturnType<typeof decodeModelFile>) => void): Uint8Array {
  const f = decodeModelFile(bytes, "edit");
  edit(f);
  const json = new TextEncoder().encode(JSON.stringify(f.manifest));
  const out = new Uint8Array(12 + json.length + f.blob.byteLength);
  out.set(bytes.subarray(0, 8));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(new Uint8Array(f.blob), 12 + json.length);
  return out;
}

async function badCases(): Promise<BadCase[]> {
  const good = new Uint8Array(await readFile(join(cacheData, "models", "reference-inn.model")));
  const sinn = await readFile(join(cacheData, "models", "sinn-resnet18.model"));
  const tfjs = tfjsFilesFor(mnist);
  const nanBin = tfjs.weightsBin.slice(0);
  new DataView(nanBin).setFloat32(4 * 40, NaN, true);
  const rgb = tfjsFilesFor({ height: 32, width: 32, channels: 3, classes: 10 });
  /** tfjs model.json with conv1/kernel's manifest shape replaced. */
  const conv1Shape = (shape: unknown[]) => {
    const json = JSON.parse(tfjs.modelJson);
    json.weightsManifest[0].weights[0].shape = shape;
    return JSON.stringify(json);
  };
  return [
    {
      what: "a model file for 32×32×3 images",
      files: [file("cifar.model", modelFileFor({ height: 32, width: 32, channels: 3, classes: 10 }))],
      problem: fitProblem("32×32×3 images in 10 classes"),
    },
    {
      what: "a model file for 8×8 images",
      files: [file("small-digits.model", modelFileFor({ height: 8, width: 8, channels: 1, classes: 10 }))],
      problem: fitProblem("8×8×1 images in 10 classes"),
    },
    {
      what: "a model file with 5 classes",
      files: [file("five-classes.model", modelFileFor({ ...mnist, classes: 5 }))],
      problem: fitProblem("28×28×1 images in 5 classes"),
    },
    {
      what: "a model file with 1000 classes",
      files: [file("imagenet-head.model", modelFileFor({ ...mnist, classes: 1000 }))],
      problem: fitProblem("28×28×1 images in 1000 classes"),
    },
    {
      what: "a manifest declaring a 1e9×1e9 input",
      files: [
        file(
          "huge.model",
          edited(good, (f) => {
            f.manifest.input = { ...f.manifest.input, height: 1e9, width: 1e9 };
          }),
        ),
      ],
      problem: fitProblem("1000000000×1000000000×1 images in 10 classes"),
    },
    {
      what: "a model file cut in half",
      files: [file("truncated.model", good.subarray(0, Math.floor(good.length / 2)))],
      problem: /truncated model file: the weights blob needs \d+ bytes, \d+ are present/,
    },
    {
      what: "an empty file",
      files: [file("empty.model", new Uint8Array(0))],
      problem: /truncated model file: 0 bytes/,
    },
    {
      what: "a foreign file (PNG bytes) named .model",
      files: [
        file("photo.model", Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2])),
      ],
      problem: /not a model file: magic "\u0089PNG", expected "ILMF"/,
    },
    {
      what: "the SINN weights file (JSON) chosen as a model file",
      files: [file("sinn-resnet18.model", sinn)],
      problem: /not a model file: magic "\{\\"fo", expected "ILMF"/,
    },
    {
      what: "a model file whose manifest is not JSON",
      files: [
        file(
          "garbled.model",
          (() => {
            const b = good.slice(0);
            b[12] = 0x7d; // "}" where the manifest's "{" was
            return b;
          })(),
        ),
      ],
      problem: /the manifest is not valid UTF-8 JSON/,
    },
    {
      what: "a model file with a NaN weight",
      files: [
        file(
          "nan.model",
          edited(good, (f) => {
            const t = f.manifest.tensors.find((x) => x.name === "conv2.weight")!;
            new DataView(f.blob).setFloat32(t.byteOffset + 8, NaN, true);
          }),
        ),
      ],
      problem: /tensor "conv2\.weight" holds NaN at index 2/,
    },
    {
      what: "a model file whose tensor shape does not match the model",
      files: [
        file(
          "reshaped.model",
          edited(good, (f) => {
            f.manifest.tensors[0].shape = [3, 3, 1, 15];
          }),
        ),
      ],
      problem: /tensor "conv1\.weight" has shape \[3,3,1,15\], the model expects \[3,3,1,16\]/,
    },
    {
      what: "malformed tfjs JSON",
      files: [file("model.json", "{ not json"), file("weights.bin", tfjs.weightsBin)],
      problem: /not valid JSON/,
    },
    {
      what: "tfjs weights shorter than the manifest says",
      files: [file("model.json", tfjs.modelJson), file("weights.bin", tfjs.weightsBin.slice(0, 1000))],
      problem: /weights file is truncated: weight \S+ needs bytes/,
    },
    {
      what: "tfjs weights longer than the manifest says",
      files: [
        file("model.json", tfjs.modelJson),
        file("weights.bin", new Uint8Array([...new Uint8Array(tfjs.weightsBin), 0, 0, 0, 0])),
      ],
      problem: /weights file has \d+ bytes, the manifest describes \d+/,
    },
    {
      what: "tfjs weights holding NaN",
      files: [file("model.json", tfjs.modelJson), file("weights.bin", nanBin)],
      problem: /weight \S+ holds NaN at index 40/,
    },
    {
      what: "a tfjs manifest with a negative dim",
      files: [file("model.json", conv1Shape([-16])), file("weights.bin", tfjs.weightsBin)],
      problem: /weight "conv1\/kernel" has shape \[-16\]: dims must be non-negative integers/,
    },
    {
      what: "a tfjs manifest with a wrong conv1 kernel shape",
      files: [file("model.json", conv1Shape([5, 5, 1, 16])), file("weights.bin", tfjs.weightsBin)],
      problem: /weight "conv1\/kernel" expects \[3,3,1,16\], got \[5,5,1,16\]/,
    },
    {
      what: "a tfjs model for 32×32×3 images",
      files: [file("model.json", rgb.modelJson), file("weights.bin", rgb.weightsBin)],
      problem: fitProblem("32×32×3 images in 10 classes"),
    },
    {
      what: "model.json without its weights",
      files: [file("model.json", tfjs.modelJson)],
      problem: /a tfjs layers model needs its weights file too/,
    },
    {
      what: "three files at once",
      files: [file("model.json", tfjs.modelJson), file("weights.bin", tfjs.weightsBin), file("extra.bin", "x")],
      problem: /choose model\.json and one weights file, not 3 files/,
    },
  ];
}

type Api = {
  setSizes(s: object): void;
  plan?: { setGlobal(f: number): void };
};

const setSizes = (page: Page, sizes: object) =>
  page.evaluate((s) => (window as never as { __liveModel: Api }).__liveModel.setSizes(s), sizes);

/** Choose `files` in the picker; wait for its verdict and return the message. */
async function pick(page: Page, files: PickedFile[]): Promise<{ state: string; text: string }> {
  const message = page.locator("[data-testid=live-file-message]");
  await page.evaluate(() => {
    const m = document.querySelector<HTMLElement>("[data-testid=live-file-message]")!;
    m.dataset.state = "idle";
  });
  await page.locator("[data-testid=live-file]").setInputFiles(files);
  await page.waitForFunction(() => {
    const state = document.querySelector<HTMLElement>("[data-testid=live-file-message]")?.dataset.state;
    return state === "ok" || state === "error";
  });
  return { state: (await message.getAttribute("data-state")) ?? "", text: (await message.textContent()) ?? "" };
}

let page: Page;

describe("live model page: bad files under 'Bring your own model'", { timeout: 1_800_000 }, () => {
  const suite = liveSuite((opened) => {
    page = opened.page;
  });
  const sizes = [
    { conv1: 12, conv2: 24, conv3: 48 },
    { conv1: 8, conv2: 16, conv3: 32 },
  ];
  const known: number[] = [];
  let cases: BadCase[] = [];
  let namedByLibrary = 0;
  let refused = 0;

  it("each bad file is refused with the file and the problem named; the model, link and accuracy stay", async () => {
    cases = await badCases();
    assert.ok(cases.length >= 10, `${cases.length} bad files`);
    for (const s of sizes) {
      await setSizes(page, s);
      known.push(await finalAccuracy(page, "live-acc-inn", "inn"));
    }
    let turn = 0;
    for (const bad of cases) {
      const url = page.url();
      const request = Number(await page.locator("[data-testid=live-acc-inn]").getAttribute("data-request"));
      const { state, text } = await pick(page, bad.files);
      assert.equal(state, "error", `${bad.what}: refused (${text})`);
      const names = bad.files.map((f) => f.name);
      assert.ok(
        names.some((n) => text.includes(n)),
        `${bad.what}: the message names the file (${text})`,
      );
      assert.match(text, bad.problem, `${bad.what}: the message states the problem`);
      assert.match(text, /The previous model is still loaded\.$/);
      if (text.startsWith("Could not use this file:")) namedByLibrary++;
      refused++;
      assert.equal(page.url(), url, `${bad.what}: the link is unchanged`);
      assert.equal(await page.locator("[data-testid=live-model]").inputValue(), "reference-inn");
      // A slider move still resamples the page's model: the figure measured at these sizes before.
      const k = ++turn % 2;
      await setSizes(page, sizes[k]);
      const shown = await finalAccuracy(page, "live-acc-inn", "inn");
      const now = Number(await page.locator("[data-testid=live-acc-inn]").getAttribute("data-request"));
      assert.ok(now > request, `${bad.what}: a new request was evaluated`);
      assert.equal(shown, known[k], `${bad.what}: the accuracy at ${JSON.stringify(sizes[k])}`);
    }
    process.stderr.write(
      `[live-hostile] ${cases.length} bad files, ${refused} refused with a message naming the file and the problem; ` +
        `${namedByLibrary} of them named by the library's own error, the rest by the picker\n`,
    );
  });

  it("a bad file while the SINN model is shown leaves the SINN model, its message and its link", async () => {
    await page.locator("[data-testid=live-model]").selectOption("sinn-resnet18");
    await page.waitForSelector("[data-testid=live-plan]");
    const planApi = (fraction: number) =>
      page.evaluate((f) => (window as never as { __liveModel: Api }).__liveModel.plan!.setGlobal(f), fraction);
    await planApi(0.75);
    const at75 = await finalAccuracy(page, "live-plan-acc", "plan", true);
    await planApi(1);
    await finalAccuracy(page, "live-plan-acc", "plan", true);
    const url = page.url();
    const status = await page.locator("[data-testid=live-status]").textContent();
    for (const bad of [cases[0], cases[5], cases[12]]) {
      const { state, text } = await pick(page, bad.files);
      assert.equal(state, "error", `${bad.what}: refused`);
      assert.match(text, bad.problem);
      assert.equal(page.url(), url, "the link still names the SINN model and its sizes");
      assert.equal(new URL(page.url()).searchParams.get("model"), "sinn-resnet18");
      assert.equal(await page.locator("[data-testid=live-plan]").count(), 1, "the SINN panel is still shown");
      assert.equal(await page.locator("[data-testid=live-model]").inputValue(), "sinn-resnet18");
      assert.equal(await page.locator("[data-testid=live-status]").textContent(), status);
    }
    await planApi(0.75);
    assert.equal(await finalAccuracy(page, "live-plan-acc", "plan", true), at75, "the SINN model still resamples");
  });

  it("made no request outside the origin and logged no errors", () => {
    assert.deepEqual(suite.watched.foreignRequests, []);
    assert.deepEqual(suite.watched.pageErrors, []);
    assert.deepEqual(suite.watched.consoleErrors, []);
  });
});
