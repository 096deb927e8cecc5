/**
 * The integral reference net as a JSON model spec, so the trainer's workers, model files and pages can
 * rebuild it: `{ name: "reference-inn", ranges?, minFraction?, kernel?, cubicA?, quadrature?, fullSizeProbability?, sharedDrawProbability?, sandwich?, sandwichSmallest?, sandwichDraws?, sandwichLabelWeight?, smoothInit? }`.
 * (Kept apart from registry.ts so the registry can import it without a cycle.)
 */
import type { InputShape } from "../model.js";
import type { SizeRange } from "../math/partition.js";
import {
  createReferenceInn,
  REFERENCE_INN_GROUPS,
  ReferenceInn,
  type ReferenceInnGroup,
  type ReferenceInnOptions,
} from "./reference-inn.js";

export const REFERENCE_INN_NAME = "reference-inn";
export const REFERENCE_INN_SPEC_OPTIONS = [
  "ranges",
  "minFraction",
  "kernel",
  "cubicA",
  "quadrature",
  "fullSizeProbability",
  "sharedDrawProbability",
  "sandwich",
  "sandwichSmallest",
  "sandwichDraws",
  "sandwichLabelWeight",
  "smoothInit",
] as const;

/** A spec's options as ReferenceInnOptions; unknown options and ill-typed values are named. */
export function referenceInnOptionsFromSpec(spec: { name: string; [k: string]: unknown }): ReferenceInnOptions {
  if (spec.name !== REFERENCE_INN_NAME) throw new Error(`model spec "${spec.name}" is not "${REFERENCE_INN_NAME}"`);
  for (const key of Object.keys(spec)) {
    if (key !== "name" && !(REFERENCE_INN_SPEC_OPTIONS as readonly string[]).includes(key)) {
      throw new Error(
        `model "${spec.name}": unknown option "${key}" (known: ${REFERENCE_INN_SPEC_OPTIONS.join(", ")})`,
      );
    }
  }
  if (spec.ranges !== undefined && (typeof spec.ranges !== "object" || spec.ranges === null))
    throw new Error(`model "${spec.name}": ranges must be an object of {min, max} per group`);
  if (spec.kernel !== undefined && !["cubic", "linear", "nearest"].includes(spec.kernel as string))
    throw new Error(
      `model "${spec.name}": kernel must be cubic, linear or nearest, got ${JSON.stringify(spec.kernel)}`,
    );
  for (const k of [
    "minFraction",
    "cubicA",
    "fullSizeProbability",
    "sharedDrawProbability",
    "sandwichDraws",
    "sandwichLabelWeight",
    "smoothInit",
  ] as const) {
    if (spec[k] !== undefined && typeof spec[k] !== "number")
      throw new Error(`model "${spec.name}": ${k} must be a number, got ${JSON.stringify(spec[k])}`);
  }
  for (const k of ["sandwich", "sandwichSmallest"] as const) {
    if (spec[k] !== undefined && typeof spec[k] !== "boolean")
      throw new Error(`model "${spec.name}": ${k} must be true or false, got ${JSON.stringify(spec[k])}`);
  }
  return spec as ReferenceInnOptions;
}

/** Registry factory: the integral net initialised exactly from the discrete reference net of `seed`. */
export function referenceInnFromSpec(
  spec: { name: string; [k: string]: unknown },
  input: InputShape,
  seed: number,
): ReferenceInn {
  return createReferenceInn(input, seed, referenceInnOptionsFromSpec(spec));
}

/** The spec that rebuilds `inn`'s structure: its training ranges, kernel and quadrature, read from its groups. */
export function referenceInnSpec(inn: ReferenceInn): {
  name: string;
  ranges: Record<ReferenceInnGroup, SizeRange>;
  kernel: string;
  cubicA?: number;
  quadrature: string;
  fullSizeProbability?: number;
  sharedDrawProbability?: number;
  sandwich?: boolean;
  sandwichSmallest?: boolean;
  sandwichDraws?: number;
  sandwichLabelWeight?: number;
} {
  const hidden = inn.groups.describe().find((g) => g.id === REFERENCE_INN_GROUPS[0])!;
  const cubic = /^cubic\(A=(.+)\)$/.exec(hidden.kernel ?? "");
  return {
    name: REFERENCE_INN_NAME,
    ranges: inn.trainingRanges,
    kernel: cubic ? "cubic" : (hidden.kernel as string),
    ...(cubic ? { cubicA: Number(cubic[1]) } : {}),
    quadrature: hidden.quadrature as string,
    ...(inn.groups.fullSizeProbability > 0 ? { fullSizeProbability: inn.groups.fullSizeProbability } : {}),
    ...(inn.groups.sharedDrawProbability > 0 ? { sharedDrawProbability: inn.groups.sharedDrawProbability } : {}),
    ...(inn.sandwich ? { sandwich: true } : {}),
    ...(inn.sandwichSmallest ? { sandwichSmallest: true } : {}),
    ...(inn.sandwichDraws !== 1 ? { sandwichDraws: inn.sandwichDraws } : {}),
    ...(inn.sandwichLabelWeight !== 0 ? { sandwichLabelWeight: inn.sandwichLabelWeight } : {}),
  };
}
