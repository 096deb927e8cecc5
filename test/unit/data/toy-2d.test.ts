import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TOY_DATASETS, TOY_DOMAIN, toyDataset, type ToyPoints } from "../../../src/lib/data/toy-2d.js";

const all = (p: ToyPoints) =>
  Array.from({ length: p.count }, (_, i) => ({ x: p.xy[2 * i], y: p.xy[2 * i + 1], label: p.labels[i] }));

describe("toy 2-D data sets", () => {
  it("are reproducible from the seed, and another seed gives other points", () => {
    for (const name of TOY_DATASETS) {
      const a = toyDataset({ name, noise: 0.2, trainFraction: 0.5, seed: 7 });
      const b = toyDataset({ name, noise: 0.2, trainFraction: 0.5, seed: 7 });
      const c = toyDataset({ name, noise: 0.2, trainFraction: 0.5, seed: 8 });
      assert.deepEqual(a.train.xy, b.train.xy, name);
      assert.deepEqual(a.test.labels, b.test.labels, name);
      assert.notDeepEqual(a.train.xy, c.train.xy, name);
    }
  });

  it("split by the train fraction into disjoint parts with both classes", () => {
    for (const name of TOY_DATASETS) {
      const d = toyDataset({ name, noise: 0, trainFraction: 0.3, seed: 1, count: 400 });
      assert.equal(d.train.count, 120);
      assert.equal(d.test.count, 280);
      const key = (p: { x: number; y: number }) => `${p.x},${p.y}`;
      const train = new Set(all(d.train).map(key));
      assert.equal(all(d.test).filter((p) => train.has(key(p))).length, 0, `${name}: a point is in both splits`);
      for (const split of [d.train, d.test]) {
        const ones = split.labels.reduce((a, b) => a + b, 0);
        assert.ok(
          ones > 0.25 * split.count && ones < 0.75 * split.count,
          `${name}: ${ones} of ${split.count} are class 1`,
        );
      }
    }
  });

  it("without noise, every label follows its set's rule", () => {
    const points = (name: (typeof TOY_DATASETS)[number]) => {
      const d = toyDataset({ name, noise: 0, trainFraction: 0.5, seed: 3 });
      return [...all(d.train), ...all(d.test)].map((p) => ({ ...p, x: p.x * TOY_DOMAIN, y: p.y * TOY_DOMAIN }));
    };
    for (const p of points("circles")) {
      const r = Math.hypot(p.x, p.y);
      assert.ok(p.label === 1 ? r <= 2.5 + 1e-5 : r >= 3.5 - 1e-5, `circles: r ${r} has label ${p.label}`);
    }
    for (const p of points("xor")) {
      assert.equal(p.label, p.x * p.y >= 0 ? 1 : 0);
      assert.ok(Math.abs(p.x) >= 0.3 - 1e-5 && Math.abs(p.x) <= 5.3 + 1e-5, `xor: x ${p.x}`);
    }
    // The two spiral arms are point reflections of each other: (x, y) on one arm, (−x, −y) on the other.
    const spiral = points("spiral");
    for (const p of spiral) assert.ok(Math.hypot(p.x, p.y) <= 5 + 1e-5);
    for (const p of spiral.filter((q) => q.label === 1)) {
      const mirrored = spiral.find((q) => q.label === 0 && Math.abs(q.x + p.x) < 1e-4 && Math.abs(q.y + p.y) < 1e-4);
      assert.ok(mirrored, `spiral: (${p.x}, ${p.y}) has no mirrored point on the other arm`);
    }
    const gauss = points("gaussians");
    for (const label of [0, 1]) {
      const cls = gauss.filter((p) => p.label === label);
      const mean = cls.reduce((a, p) => a + p.x + p.y, 0) / (2 * cls.length);
      assert.ok(Math.abs(mean - (label === 1 ? 2 : -2)) < 0.2, `gaussians: class ${label} mean ${mean}`);
    }
  });

  it("noise moves points across the class rule", () => {
    const clean = toyDataset({ name: "xor", noise: 0, trainFraction: 0.5, seed: 4 });
    const noisy = toyDataset({ name: "xor", noise: 0.5, trainFraction: 0.5, seed: 4 });
    const violations = (d: typeof clean) => all(d.train).filter((p) => (p.x * p.y >= 0 ? 1 : 0) !== p.label).length;
    assert.equal(violations(clean), 0);
    assert.ok(violations(noisy) > 0.1 * noisy.train.count, `${violations(noisy)} of ${noisy.train.count}`);
  });

  it("rejects bad options by name", () => {
    const base = { name: "spiral" as const, noise: 0, trainFraction: 0.5, seed: 1 };
    assert.throws(() => toyDataset({ ...base, name: "moons" as never }), /unknown set "moons"/);
    assert.throws(() => toyDataset({ ...base, noise: 0.9 }), /noise must be in \[0, 0.5\]/);
    assert.throws(() => toyDataset({ ...base, trainFraction: 1 }), /trainFraction/);
  });
});
