/** A small curves file in the documented schema (test fixture shared by the curves tests). */
import { mulberry32 } from "../../../src/lib/random.js";
import { CURVES_VERSION } from "../../../src/lib/io/curves-schema.js";
import type { CurvesData } from "../../../src/lib/views/curves.js";

/** Two methods of the reference family, with random (seeded) accuracies. */
export function curvesFixture(seed = 1): CurvesData {
  const random = mulberry32(seed);
  const fractions = [1, 0.75, 0.5, 0.25];
  const full = { params: 1000, flops: 20000 };
  const point = (fraction: number, seeds: number[]) => {
    const params = Math.round(full.params * fraction * fraction);
    const flops = Math.round(full.flops * fraction * fraction);
    const runs = seeds.map((s) => ({ seed: s, accuracies: [0.5 + 0.5 * fraction - 0.05 * random()] }));
    const all = runs.flatMap((r) => r.accuracies);
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const std = all.length > 1 ? Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / (all.length - 1)) : 0;
    return {
      fraction,
      sizes: { conv1: Math.round(16 * fraction) },
      params,
      flops,
      paramsCompression: 1 - params / full.params,
      flopsCompression: 1 - flops / full.flops,
      accuracy: { mean, std, min: Math.min(...all), max: Math.max(...all), n: all.length },
      runs,
    };
  };
  return {
    format: "integral-lab/curves",
    version: CURVES_VERSION,
    profile: { name: "fixture" },
    dataset: { name: "mnist", height: 28, width: 28, channels: 1, classes: 10, trainCount: 100, testCount: 50 },
    fractions,
    families: [
      {
        id: "reference",
        full,
        methods: [
          {
            id: "discrete-l1",
            label: 'Discrete net, L1 channel pruning, "no" fine-tuning',
            kind: "pruned",
            model: {},
            seeds: [0, 1],
            training: [{ seed: 0 }, { seed: 1 }],
            points: fractions.map((f) => point(f, [0, 1])),
          },
          {
            id: "inn-scratch",
            label: "INN",
            kind: "resampled",
            model: {},
            seeds: [0, 1],
            training: [0, 1].map((s) => ({
              seed: s,
              trainingRanges: { conv1: { min: 8, max: 16 }, conv2: { min: 12, max: 32 } },
            })),
            points: fractions.map((f) => point(f, [0, 1])),
          },
        ],
        models: [],
      },
    ],
  };
}
