/**
 * Grid tuning of a converted net: only the partition points train, with the weight nodes frozen.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { REFERENCE_INN_GROUPS, ReferenceInn, type ReferenceInnGroup } from "../models/reference-inn.js";
import type { ForwardContext, Model } from "../model.js";

export interface GridTuningOptions {
  /** Hidden groups whose partitions become trainable (default all). */
  groups?: readonly ReferenceInnGroup[];
  /** Train the bias nodes too (default false). */
  biases?: boolean;
  /** Keep the partition ends at ±1 (default true). */
  fixedEndpoints?: boolean;
}

/**
 * Grid tuning (docs/design.md §3, "Three ways", c): the integral net at its current sizes with trainable,
 * always-ordered partitions, seen by the trainer as a model whose only trainable variables are the
 * partition parameters (and optionally the biases); the weight nodes stay frozen. Forward passes use
 * the fixed current sizes (no random draws). The tuned partitions belong to the integral net (it keeps
 * them after tuning and frees them on dispose); `reset` returns the tuned groups to uniform partitions.
 */
export class GridTuning implements Model {
  readonly name = "reference-inn-grid-tuning";
  readonly trainableVariables: tf.Variable[];
  readonly parameterNames: readonly string[];
  private readonly tuned: readonly ReferenceInnGroup[];

  constructor(
    readonly inn: ReferenceInn,
    options: GridTuningOptions = {},
  ) {
    this.tuned = options.groups ?? REFERENCE_INN_GROUPS;
    // Only this tuning's groups (inn.enableGridTuning returns every trainable partition of the net).
    const partitions = this.tuned.flatMap(
      (g) => inn.groups.enableTrainablePartition(g, { fixedEndpoints: options.fixedEndpoints ?? true }).variables,
    );
    const biases = options.biases
      ? [...inn.convs, inn.dense].flatMap((l) => (l.biasNodes ? [{ name: `${l.id}.bias`, v: l.biasNodes }] : []))
      : [];
    this.trainableVariables = [...partitions, ...biases.map((b) => b.v)];
    this.parameterNames = [...partitions.map((p) => p.name), ...biases.map((b) => b.name)];
  }

  apply(images: tf.Tensor4D, context: ForwardContext): tf.Tensor2D {
    return this.inn.apply(images, { training: context.training });
  }

  /** Current (tuned) partition points per tuned group. */
  points(): Record<string, number[]> {
    return Object.fromEntries(this.tuned.map((g) => [g, Array.from(this.inn.groups.points(g))]));
  }

  reset(): void {
    for (const g of this.tuned) this.inn.groups.disableTrainablePartition(g);
  }

  /** Nothing to free: the partitions belong to the integral net. */
  dispose(): void {}
}
