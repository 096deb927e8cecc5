/**
 * Five small families for 28×28 inputs, each in three variants of equal depth and width:
 *   discrete  ordinary convs (integral layers at fixed full size: sampled at full size an integral layer
 *             is exactly its discrete tensor, so this is a plain CNN; no random-size training)
 *   inn       the same convs as integral layers trained on random sizes (default 25–100% per group)
 *   sinn      the same blocks built from separable integral blocks (SIBs), random sizes likewise
 *
 * Shared skeleton (cheap enough to train an MNIST epoch in well under a minute on one wasm thread):
 *   image → stem conv 3×3 stride 2 (32) → BN → ReLU → max-pool 2 → [7×7] → family blocks → global
 *   average pool → dense → logits.
 * The stem stays a full conv in every variant: a depth-wise conv over one image channel is no layer.
 * The SIB diagrams are this project's reconstruction (see src/lib/sinn/blocks.ts).
 */
import type { InputShape } from "../model.js";
import type { SizeRange } from "../math/partition.js";
import { rangeAtFraction } from "../integral/groups.js";
import { PlanBuilder, type NetworkPlan } from "../graph/plan.js";
import {
  basicBlock,
  bottleneckBlock,
  inceptionBlock,
  ninBlock,
  spatialUnit,
  vggBlock,
  type BlockForm,
} from "./blocks.js";
import { IntegralGraphNet } from "../graph/graph-net.js";
import type { SandwichRule } from "../train/sandwich.js";

export const SINN_FAMILIES = ["nin", "vgg", "inception", "resnet18", "resnet50"] as const;
export type SinnFamily = (typeof SINN_FAMILIES)[number];

export const SINN_VARIANTS = ["discrete", "inn", "sinn"] as const;
export type SinnVariant = (typeof SINN_VARIANTS)[number];

export interface FamilyOptions {
  /** Lower end of the training range of every hidden group, as a fraction of its size (default 0.25). */
  minFraction?: number;
  /** Multiply every hidden width (default 1; widths stay ≥ 2). */
  widthScale?: number;
  /** Random-size variants: probability of a full-size training step (see IntegralGraphNetOptions). */
  fullSizeProbability?: number;
  /**
   * EMA factor of the batch-norm running statistics. Default 0.1 (PyTorch's) for discrete; 0.2 for the
   * random-size variants, whose statistics move only on full-size steps (src/lib/integral/batch-norm.ts).
   */
  batchNormMomentum?: number;
  /** Random-size variants: train by the sandwich rule (IntegralGraphNetOptions.sandwich; default none). */
  sandwich?: SandwichRule;
  /** Random-size variants: probability of one shared size draw for all groups (default 0). */
  sharedDrawProbability?: number;
}

/** Registry name of a family model, e.g. "resnet18-sinn". */
export function familyModelName(family: SinnFamily, variant: SinnVariant): string {
  return `${family}-${variant}`;
}

function checkFamily(family: string, variant: string): void {
  if (!(SINN_FAMILIES as readonly string[]).includes(family))
    throw new Error(`sinn families: unknown family "${family}" (known: ${SINN_FAMILIES.join(", ")})`);
  if (!(SINN_VARIANTS as readonly string[]).includes(variant))
    throw new Error(`sinn families: unknown variant "${variant}" (known: ${SINN_VARIANTS.join(", ")})`);
}

/** The plan (graph) of one family's variant. */
export function familyPlan(
  family: SinnFamily,
  variant: SinnVariant,
  input: InputShape,
  options: FamilyOptions = {},
): NetworkPlan {
  checkFamily(family, variant);
  if (input.height < 8 || input.width < 8)
    throw new Error(`sinn families: input must be at least 8×8, got ${input.height}×${input.width}`);
  const fraction = options.minFraction ?? 0.25;
  if (!(fraction > 0 && fraction <= 1))
    throw new Error(`sinn families: minFraction must be in (0, 1], got ${fraction}`);
  const scale = options.widthScale ?? 1;
  if (!(scale > 0)) throw new Error(`sinn families: widthScale must be positive, got ${scale}`);
  const w = (n: number) => Math.max(2, Math.round(n * scale));
  const range = (size: number): SizeRange =>
    variant === "discrete" ? { min: size, max: size } : rangeAtFraction(size, fraction);
  const b = new PlanBuilder(familyModelName(family, variant), input, range);
  const form: BlockForm = variant === "sinn" ? "separable" : "full";

  const stem = b.maxPool(
    "stem.pool",
    spatialUnit(b, "stem", "input", b.group("stem", w(32)), { kernel: 3, stride: 2, form: "full" }),
    2,
    2,
  );
  let h: string;
  switch (family) {
    case "nin":
      h = ninBlock(b, "block1", stem, { kernel: 3, widths: [w(48), w(48), w(48)] }, form);
      h = b.maxPool("pool1", h, 2, 2);
      h = ninBlock(b, "block2", h, { kernel: 3, widths: [w(64), w(64), w(64)] }, form);
      break;
    case "vgg":
      h = vggBlock(b, "block1", stem, { widths: [w(32)] }, form);
      h = vggBlock(b, "block2", h, { widths: [w(64), w(64)], pool: false }, form);
      break;
    case "inception":
      h = inceptionBlock(b, "block1", stem, { b1: w(32), b2: [w(32), w(32)], b3: [w(32), w(32)], b4: w(32) }, form);
      break;
    case "resnet18":
      h = basicBlock(b, "block1", stem, { out: w(32) }, form);
      h = basicBlock(b, "block2", h, { out: w(64), stride: 2 }, form);
      break;
    case "resnet50":
      h = bottleneckBlock(b, "block1", stem, { mid: w(32), out: w(64) }, form);
      h = bottleneckBlock(b, "block2", h, { mid: w(32), out: w(64) }, form);
      break;
  }
  return b.dense("classifier", b.globalAvgPool("gap", h));
}

/** Build one family's variant, initialised from `seed`. */
export function createFamilyModel(
  family: SinnFamily,
  variant: SinnVariant,
  input: InputShape,
  seed: number,
  options: FamilyOptions = {},
): IntegralGraphNet {
  return new IntegralGraphNet(familyPlan(family, variant, input, options), seed, {
    fullSizeProbability: options.fullSizeProbability,
    batchNormMomentum: options.batchNormMomentum ?? (variant === "discrete" ? 0.1 : 0.2),
    ...(options.sandwich ? { sandwich: options.sandwich } : {}),
    ...(options.sharedDrawProbability ? { sharedDrawProbability: options.sharedDrawProbability } : {}),
  });
}
