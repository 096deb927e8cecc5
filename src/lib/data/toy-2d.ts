/**
 * Two-dimensional toy classification sets (two classes), in the spirit of TensorFlow Playground: a spiral,
 * a disc inside a ring, xor quadrants and two gaussians. Points are generated on [-6, 6]² and stored
 * divided by 6, so the plane a net sees is about [-1, 1]². Everything is seeded: the same seed, name,
 * noise and train fraction give the same points and the same split in Node and in any browser.
 */
import { deriveSeed, gaussian, mulberry32, permutation, type Random } from "../random.js";

export type ToyDatasetName = "spiral" | "circles" | "xor" | "gaussians";

export const TOY_DATASETS: readonly ToyDatasetName[] = ["spiral", "circles", "xor", "gaussians"];

/** Half the side of the square the generators draw on; coordinates are stored divided by it. */
export const TOY_DOMAIN = 6;

/** Labels for deriveSeed: the points and the split draw from their own streams. */
const SEED_LABEL = { points: 0x2d01, split: 0x2d02 } as const;

/** A set of labelled points: `xy` holds x0, y0, x1, y1, … (scaled to about [-1, 1]), `labels` 0 or 1. */
export interface ToyPoints {
  xy: Float32Array;
  labels: Uint8Array;
  count: number;
}

export interface ToyDataset {
  name: ToyDatasetName;
  noise: number;
  seed: number;
  train: ToyPoints;
  test: ToyPoints;
}

export interface ToyDatasetOptions {
  name: ToyDatasetName;
  /** 0 (clean) to 0.5 (classes overlap); its meaning per set follows TensorFlow Playground's. */
  noise: number;
  /** Share of the points used for training, in (0, 1); the rest is the test split. */
  trainFraction: number;
  seed: number;
  /** Points in total (default 500). */
  count?: number;
}

type Generator = (random: Random, count: number, noise: number) => { x: number[]; y: number[]; label: number[] };

const uniform = (random: Random, a: number, b: number) => a + (b - a) * random();

/** Two interleaved arms, 1.75 turns each; noise jitters every point by up to ±noise. */
const spiral: Generator = (random, count, noise) => {
  const out = { x: [] as number[], y: [] as number[], label: [] as number[] };
  const perArm = [Math.ceil(count / 2), Math.floor(count / 2)];
  perArm.forEach((n, arm) => {
    for (let i = 0; i < n; i++) {
      const r = (i / n) * 5;
      const t = ((1.75 * i) / n) * 2 * Math.PI + arm * Math.PI;
      out.x.push(r * Math.sin(t) + uniform(random, -1, 1) * noise);
      out.y.push(r * Math.cos(t) + uniform(random, -1, 1) * noise);
      out.label.push(arm === 0 ? 1 : 0);
    }
  });
  return out;
};

/**
 * A disc of radius 2.5 (class 1) inside a ring from 3.5 to 5 (class 0). With noise, a point's label is
 * that of a position displaced by up to ±5·noise per coordinate, so the classes bleed into each other.
 */
const circles: Generator = (random, count, noise) => {
  const out = { x: [] as number[], y: [] as number[], label: [] as number[] };
  const inside = Math.ceil(count / 2);
  for (let i = 0; i < count; i++) {
    const r = i < inside ? uniform(random, 0, 2.5) : uniform(random, 3.5, 5);
    const angle = uniform(random, 0, 2 * Math.PI);
    const x = r * Math.sin(angle);
    const y = r * Math.cos(angle);
    const nx = x + uniform(random, -5, 5) * noise;
    const ny = y + uniform(random, -5, 5) * noise;
    out.x.push(x);
    out.y.push(y);
    out.label.push(Math.hypot(nx, ny) < 2.5 ? 1 : 0);
  }
  return out;
};

/** Uniform on [-5, 5]² pushed 0.3 away from the axes; class 1 where x·y ≥ 0 (of a noisy position). */
const xor: Generator = (random, count, noise) => {
  const out = { x: [] as number[], y: [] as number[], label: [] as number[] };
  const pad = (v: number) => v + (v > 0 ? 0.3 : -0.3);
  for (let i = 0; i < count; i++) {
    const x = pad(uniform(random, -5, 5));
    const y = pad(uniform(random, -5, 5));
    const nx = x + uniform(random, -5, 5) * noise;
    const ny = y + uniform(random, -5, 5) * noise;
    out.x.push(x);
    out.y.push(y);
    out.label.push(nx * ny >= 0 ? 1 : 0);
  }
  return out;
};

/** Gaussians at (2, 2) (class 1) and (−2, −2) (class 0); the variance grows from 0.5 to 4 with noise. */
const gaussians: Generator = (random, count, noise) => {
  const out = { x: [] as number[], y: [] as number[], label: [] as number[] };
  const sd = Math.sqrt(0.5 + (noise / 0.5) * 3.5);
  const first = Math.ceil(count / 2);
  for (let i = 0; i < count; i++) {
    const c = i < first ? 2 : -2;
    out.x.push(c + sd * gaussian(random));
    out.y.push(c + sd * gaussian(random));
    out.label.push(i < first ? 1 : 0);
  }
  return out;
};

const GENERATORS: Record<ToyDatasetName, Generator> = { spiral, circles, xor, gaussians };

function points(indices: ArrayLike<number>, x: number[], y: number[], label: number[]): ToyPoints {
  const n = indices.length;
  const xy = new Float32Array(2 * n);
  const labels = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices[k];
    xy[2 * k] = x[i] / TOY_DOMAIN;
    xy[2 * k + 1] = y[i] / TOY_DOMAIN;
    labels[k] = label[i];
  }
  return { xy, labels, count: n };
}

/** The points of a toy set, split at random (seeded) into train and test; both splits are non-empty. */
export function toyDataset(options: ToyDatasetOptions): ToyDataset {
  const { name, noise, trainFraction, seed } = options;
  const count = options.count ?? 500;
  const generate = (GENERATORS as Record<string, Generator | undefined>)[name];
  if (!generate) throw new Error(`toyDataset: unknown set "${name}" (known: ${TOY_DATASETS.join(", ")})`);
  if (!(noise >= 0 && noise <= 0.5)) throw new Error(`toyDataset: noise must be in [0, 0.5], got ${noise}`);
  if (!(trainFraction > 0 && trainFraction < 1))
    throw new Error(`toyDataset: trainFraction must be in (0, 1), got ${trainFraction}`);
  if (!Number.isInteger(count) || count < 2) throw new Error(`toyDataset: count must be an integer ≥ 2, got ${count}`);
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff))
    throw new Error(`toyDataset: seed must be an integer in [0, 2^32), got ${seed}`);
  const { x, y, label } = generate(mulberry32(deriveSeed(seed, SEED_LABEL.points)), count, noise);
  const order = permutation(mulberry32(deriveSeed(seed, SEED_LABEL.split)), count);
  const trainCount = Math.min(count - 1, Math.max(1, Math.round(trainFraction * count)));
  return {
    name,
    noise,
    seed,
    train: points(order.subarray(0, trainCount), x, y, label),
    test: points(order.subarray(trainCount), x, y, label),
  };
}
