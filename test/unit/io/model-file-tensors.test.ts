import { test } from "node:test";
import assert from "node:assert/strict";
import { channelMatrix, modelFileTensors } from "../../../src/lib/io/model-file-tensors.js";
import type { ModelFile, ModelFileManifest } from "../../../src/lib/io/model-file.js";

function file(tensors: { name: string; shape: number[]; values: number[] }[]): ModelFile {
  let offset = 0;
  const entries = tensors.map((t) => {
    const e = {
      name: t.name,
      shape: t.shape,
      dtype: "float32" as const,
      byteOffset: offset,
      byteLength: t.values.length * 4,
    };
    offset += e.byteLength;
    return e;
  });
  const blob = new Float32Array(tensors.flatMap((t) => t.values)).buffer;
  const manifest = {
    format: "x",
    version: 1,
    model: { name: "m" },
    input: { height: 1, width: 1, channels: 1, classes: 2 },
    groups: [],
    sizes: {},
    tensors: entries,
    byteLength: offset,
  } as ModelFileManifest;
  return { manifest, blob };
}

test("modelFileTensors reads every tensor at its offset", () => {
  const f = file([
    { name: "a", shape: [2], values: [1, 2] },
    { name: "b", shape: [1, 3], values: [3, 4, 5] },
  ]);
  const t = modelFileTensors(f);
  assert.deepEqual(
    t.map((x) => [x.name, x.shape, [...x.values]]),
    [
      ["a", [2], [1, 2]],
      ["b", [1, 3], [3, 4, 5]],
    ],
  );
});

test("modelFileTensors names the file and the problem", () => {
  const f = file([{ name: "a", shape: [2], values: [1, 2] }]);
  f.manifest.tensors[0]!.byteOffset = 4;
  assert.throws(
    () => modelFileTensors(f, "ref.model"),
    /ref\.model: tensor 0 \("a"\): bytes 4…12 are outside the 8-byte blob/,
  );
  const g = file([{ name: "a", shape: [3], values: [1, 2] }]);
  assert.throws(() => modelFileTensors(g, "g"), /shape \[3\] needs 12 bytes/);
  const h = file([{ name: "w", shape: [2], values: [1, Number.NaN] }]);
  assert.throws(() => modelFileTensors(h, "h"), /h: tensor 0 \("w"\): value 1 is NaN/);
});

test("channelMatrix averages spatial taps of a [k, k, in, out] tensor into out × in", () => {
  // shape [1, 2, 2, 3]: two taps, 2 inputs, 3 outputs; value = 100·tap + 10·i + o.
  const values: number[] = [];
  for (let s = 0; s < 2; s++) for (let i = 0; i < 2; i++) for (let o = 0; o < 3; o++) values.push(100 * s + 10 * i + o);
  const t = { name: "w", shape: [1, 2, 2, 3], values: Float32Array.from(values) };
  const m = channelMatrix(t);
  assert.equal(m.rows, 3);
  assert.equal(m.cols, 2);
  for (let o = 0; o < 3; o++) for (let i = 0; i < 2; i++) assert.equal(m.values[o * 2 + i], 50 + 10 * i + o);
  const tap1 = channelMatrix(t, { tap: 1 });
  assert.equal(tap1.values[2 * 2 + 1], 100 + 10 + 2);
  assert.throws(() => channelMatrix(t, { tap: 2 }), /2 spatial taps; tap 2/);
});
