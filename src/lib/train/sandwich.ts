/**
 * The sandwich rule for training a network on random sizes (Yu & Huang, "Universally slimmable
 * networks", 2019): every step runs the full-size net on the labels, then one or more random-size nets
 * (and optionally the smallest size) taught by the full size's predictions — in-place distillation,
 * optionally mixed with the labels. Any model whose forward pass takes group sizes can use it.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ChannelGroups, GroupSizes } from "../integral/groups.js";
import type { ForwardContext } from "../model.js";
import { distillationLoss, softmaxCrossEntropy } from "./loss.js";

export interface SandwichRule {
  /** Random-size nets per step (at least 1). */
  draws: number;
  /** Also run the smallest size of every range in each step. */
  smallest: boolean;
  /** Share of the labels in the smaller nets' targets (0: only the full size's predictions; 1: only the labels). */
  labelWeight: number;
}

/** Throw unless `rule` is usable, naming `where`. */
export function checkSandwichRule(rule: SandwichRule, where: string): void {
  if (!Number.isInteger(rule.draws) || rule.draws < 1)
    throw new Error(`${where}: sandwichDraws must be a positive integer, got ${rule.draws}`);
  if (!(rule.labelWeight >= 0 && rule.labelWeight <= 1))
    throw new Error(`${where}: sandwichLabelWeight must be in [0, 1], got ${rule.labelWeight}`);
}

/** Every atomic group at the low end of its training range. */
export function smallestSizes(groups: ChannelGroups): GroupSizes {
  return Object.fromEntries(groups.atomicIds.map((id) => [id, groups.range(id).min]));
}

/**
 * One step's loss under the sandwich rule: CE(full size, labels) + Σ over `rule.draws` random draws of
 * `groups.stepSizes(context)` (then the smallest sizes, with `rule.smallest`) of the student loss against
 * the full size's predictions. `forward` runs the net at some sizes in training mode.
 */
export function sandwichLoss(
  forward: (sizes: GroupSizes) => tf.Tensor2D,
  oneHot: tf.Tensor2D,
  groups: ChannelGroups,
  context: ForwardContext,
  rule: SandwichRule,
): tf.Scalar {
  return tf.tidy(() => {
    const full = forward(groups.fullSizes);
    const w = rule.labelWeight;
    // A smaller net learns from the full size's predictions, the labels, or a mix of both.
    const student = (logits: tf.Tensor2D): tf.Scalar => {
      if (w === 0) return distillationLoss(logits, full);
      if (w === 1) return softmaxCrossEntropy(logits, oneHot);
      return tf.add(
        tf.mul(w, softmaxCrossEntropy(logits, oneHot)),
        tf.mul(1 - w, distillationLoss(logits, full)),
      ) as tf.Scalar;
    };
    let loss = softmaxCrossEntropy(full, oneHot);
    for (let k = 0; k < rule.draws; k++) loss = tf.add(loss, student(forward(groups.stepSizes(context)))) as tf.Scalar;
    if (!rule.smallest) return loss;
    return tf.add(loss, student(forward(smallestSizes(groups)))) as tf.Scalar;
  });
}
