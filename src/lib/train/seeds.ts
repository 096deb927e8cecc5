/**
 * Where the trainer's randomness comes from. Each use gets its own stream derived from the run's
 * seed, so e.g. adding a random partition draw never shifts the batch order. bench/torch_reference.py
 * mirrors `epochOrder` to feed PyTorch the same batches.
 */
import { deriveSeed, mulberry32, permutation, type Random } from "../random.js";

/** Labels passed to deriveSeed for each purpose. */
export const SEED_PURPOSE = { batchOrder: 2, stepRandom: 3 } as const;

/** Order of the training items in epoch `epoch` (0-based): a seeded Fisher–Yates permutation. */
export function epochOrder(seed: number, epoch: number, count: number): Int32Array {
  return permutation(mulberry32(deriveSeed(seed, SEED_PURPOSE.batchOrder, epoch)), count);
}

/**
 * The random source a forward pass gets at global step `step` (0-based). Every data-parallel worker
 * computes the same source for the same step, so e.g. random partition sizes agree across workers.
 */
export function stepRandom(seed: number, step: number): Random {
  return mulberry32(deriveSeed(seed, SEED_PURPOSE.stepRandom, step));
}

/** Batches of an epoch's order: consecutive slices of `batchSize` (the last may be smaller). */
export function epochBatches(order: Int32Array, batchSize: number): Int32Array[] {
  const batches: Int32Array[] = [];
  for (let start = 0; start < order.length; start += batchSize) batches.push(order.subarray(start, start + batchSize));
  return batches;
}

/** Split a batch into `parts` contiguous shards whose sizes differ by at most one (some may be empty). */
export function shardBatch(batch: Int32Array, parts: number): Int32Array[] {
  const shards: Int32Array[] = [];
  const base = Math.floor(batch.length / parts);
  const extra = batch.length % parts;
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const size = base + (p < extra ? 1 : 0);
    shards.push(batch.subarray(start, start + size));
    start += size;
  }
  return shards;
}
