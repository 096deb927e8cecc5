/**
 * Models by name. A ModelSpec is a JSON-serialisable description (`{ name, ...options }`) so that
 * data-parallel workers, saved weight files and pages can all rebuild the same model from it.
 * To add a model, add a factory to `MODEL_FACTORIES`; it validates its own options.
 */
import type { InputShape, Model } from "../model.js";
import { createReferenceNet } from "./reference.js";
import { REFERENCE_INN_NAME, referenceInnFromSpec } from "./reference-inn-spec.js";
import { LhcNet } from "./lhc-net.js";
import { SscNet } from "./ssc-net.js";
import { IgpcNet } from "./igpc-net.js";
import { createFamilyModel, familyModelName, SINN_FAMILIES, SINN_VARIANTS } from "../sinn/families.js";
import { IntegralGraphNet } from "../graph/graph-net.js";
import type { NetworkPlan } from "../graph/plan.js";

/** A model description: its registered name plus model-specific options (plain JSON values). */
export interface ModelSpec {
  name: string;
  [option: string]: unknown;
}

/** Registry name of a model given by its network plan: `{ name: "plan", plan, fullSizeProbability? }`. */
export const PLAN_MODEL = "plan";

/** Builds a model from its spec, the input shape and an initialisation seed. */
export type ModelFactory = (spec: ModelSpec, input: InputShape, seed: number) => Model;

/** Reject options a model does not know, naming the model and the option. */
export function checkSpecOptions(spec: ModelSpec, known: readonly string[]): void {
  for (const key of Object.keys(spec)) {
    if (key !== "name" && !known.includes(key)) {
      throw new Error(
        `model "${spec.name}": unknown option "${key}" (known: ${known.length ? known.join(", ") : "none"})`,
      );
    }
  }
}

const MODEL_FACTORIES: Record<string, ModelFactory> = {
  reference: (spec, input, seed) => {
    checkSpecOptions(spec, []);
    return createReferenceNet(input, seed);
  },
  [REFERENCE_INN_NAME]: referenceInnFromSpec,
  // Kernel-shape and grouped point-wise nets on the reference skeleton (the init seed is the factory's).
  lhc: (spec, input, seed) => {
    checkSpecOptions(spec, ["shapes", "cgi", "cgo"]);
    if (spec.shapes !== undefined && spec.shapes !== "free" && spec.shapes !== "rigid")
      throw new Error(`model "lhc": shapes must be "free" or "rigid", got ${JSON.stringify(spec.shapes)}`);
    for (const key of ["cgi", "cgo"]) {
      if (spec[key] !== undefined && !(Number.isInteger(spec[key]) && (spec[key] as number) >= 1))
        throw new Error(`model "lhc": ${key} must be a positive integer, got ${JSON.stringify(spec[key])}`);
    }
    return new LhcNet(input, {
      shapes: spec.shapes as "free" | "rigid" | undefined,
      cgi: spec.cgi as number | undefined,
      cgo: spec.cgo as number | undefined,
      seed,
    });
  },
  ssc: (spec, input, seed) => {
    checkSpecOptions(spec, []);
    return new SscNet(input, { seed });
  },
  // Any network plan carried whole in the spec (a converted tfjs model, src/lib/convert).
  [PLAN_MODEL]: (spec, input, seed) => {
    checkSpecOptions(spec, ["plan", "fullSizeProbability", "batchNormMomentum"]);
    const plan = spec.plan as NetworkPlan | undefined;
    if (!plan || typeof plan !== "object" || !Array.isArray(plan.nodes) || !Array.isArray(plan.groups))
      throw new Error(`model "${PLAN_MODEL}": option "plan" must be a network plan`);
    const p = plan.input;
    if (
      p.height !== input.height ||
      p.width !== input.width ||
      p.channels !== input.channels ||
      p.classes !== input.classes
    )
      throw new Error(
        `model "${PLAN_MODEL}" (${plan.name}): the plan takes ${p.height}×${p.width}×${p.channels} images and ${p.classes} classes, the data has ${input.height}×${input.width}×${input.channels} and ${input.classes}`,
      );
    for (const key of ["fullSizeProbability", "batchNormMomentum"])
      if (spec[key] !== undefined && typeof spec[key] !== "number")
        throw new Error(`model "${PLAN_MODEL}": ${key} must be a number, got ${JSON.stringify(spec[key])}`);
    return new IntegralGraphNet(plan, seed, {
      fullSizeProbability: spec.fullSizeProbability as number | undefined,
      batchNormMomentum: spec.batchNormMomentum as number | undefined,
    });
  },
  igpc: (spec, input, seed) => {
    checkSpecOptions(spec, ["channelsPerGroup"]);
    const ch = spec.channelsPerGroup;
    if (ch !== undefined && !(Number.isInteger(ch) && (ch as number) >= 1))
      throw new Error(`model "igpc": channelsPerGroup must be a positive integer, got ${JSON.stringify(ch)}`);
    return new IgpcNet(input, { seed, channelsPerGroup: ch as number | undefined });
  },
};

// The five SIB families, each as discrete / INN / SINN variant: "nin-discrete" … "resnet50-sinn".
for (const family of SINN_FAMILIES) {
  for (const variant of SINN_VARIANTS) {
    MODEL_FACTORIES[familyModelName(family, variant)] = (spec, input, seed) => {
      checkSpecOptions(spec, ["minFraction", "widthScale"]);
      for (const key of ["minFraction", "widthScale"]) {
        if (spec[key] !== undefined && typeof spec[key] !== "number")
          throw new Error(`model "${spec.name}": ${key} must be a number, got ${JSON.stringify(spec[key])}`);
      }
      return createFamilyModel(family, variant, input, seed, {
        minFraction: spec.minFraction as number | undefined,
        widthScale: spec.widthScale as number | undefined,
      });
    };
  }
}

/** Register a model factory under `name` (throws if the name is taken). */
export function registerModel(name: string, factory: ModelFactory): void {
  if (Object.hasOwn(MODEL_FACTORIES, name)) throw new Error(`model "${name}" is already registered`);
  MODEL_FACTORIES[name] = factory;
}

/** Names of all registered models, sorted. */
export function modelNames(): string[] {
  return Object.keys(MODEL_FACTORIES).sort();
}

/** Build the model described by `spec` for inputs of shape `input`, initialised from `seed`. */
export function createModel(spec: ModelSpec, input: InputShape, seed: number): Model {
  if (spec === null || typeof spec !== "object" || typeof spec.name !== "string") {
    throw new Error(`model spec must be an object with a string "name", got ${JSON.stringify(spec)}`);
  }
  const factory = Object.hasOwn(MODEL_FACTORIES, spec.name) ? MODEL_FACTORIES[spec.name] : undefined;
  if (!factory) throw new Error(`unknown model "${spec.name}" (known: ${modelNames().join(", ")})`);
  return factory(spec, input, seed);
}
