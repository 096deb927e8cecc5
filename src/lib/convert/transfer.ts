/**
 * Weight transfer: every parameter of a converted plan (plan-parameters.ts) filled from the model weight
 * its source names, found by "<layer>/<weight>" (tfjs) or a name ending in it (Keras nests scopes), with
 * its shape checked against the plan's.
 */
import type { NetworkPlan } from "../graph/plan.js";
import { planParameters } from "../graph/plan-parameters.js";
import type { WeightsParameter } from "../io/weights-file.js";
import type { WeightSource } from "./build-plan.js";
import { layerLabel } from "./topology.js";
import type { DecodedWeight } from "./weights.js";

export function transferWeights(
  plan: NetworkPlan,
  sources: readonly WeightSource[],
  weights: ReadonlyMap<string, DecodedWeight>,
  source = "model.json",
): WeightsParameter[] {
  const fail = (problem: string): never => {
    throw new Error(`${source}: ${problem}`);
  };
  const bySource = new Map(sources.map((s) => [s.parameter, s]));
  const names = [...weights.keys()];
  return planParameters(plan).map((p) => {
    const s = bySource.get(p.name);
    if (!s) return fail(`no weight feeds plan parameter "${p.name}"`);
    const count = p.shape.reduce((a, b) => a * b, 1);
    if (s.fill !== undefined) return { name: p.name, shape: p.shape, values: new Float32Array(count).fill(s.fill) };
    const wanted = `${s.layer.name}/${s.weight}`;
    // Keras names variables "<layer>/<weight>:0"; nested models prefix their own scope.
    const found = names.filter((n) => {
      const bare = n.replace(/:\d+$/, "");
      return bare === wanted || bare.endsWith(`/${wanted}`);
    });
    if (found.length === 0)
      fail(
        `layer ${layerLabel(s.layer)}: weight "${wanted}" is missing from the weights manifest (it lists ${names.length ? names.slice(0, 8).join(", ") + (names.length > 8 ? ", …" : "") : "no weights"})`,
      );
    if (found.length > 1) fail(`layer ${layerLabel(s.layer)}: weight "${wanted}" matches ${found.join(", ")}`);
    const weight = weights.get(found[0] as string) as DecodedWeight;
    const expected = s.flattened
      ? [count / (p.shape[p.shape.length - 1] as number), p.shape[p.shape.length - 1]]
      : p.shape;
    if (weight.shape.join() !== expected.join())
      fail(`layer ${layerLabel(s.layer)}: weight "${weight.name}" expects [${expected}], got [${weight.shape}]`);
    if (p.kind === "variance") {
      const bad = weight.values.findIndex((v) => v < 0);
      if (bad >= 0)
        fail(`layer ${layerLabel(s.layer)}: weight "${weight.name}" holds a negative variance at index ${bad}`);
    }
    return { name: p.name, shape: p.shape.slice(), values: Float32Array.from(weight.values) };
  });
}
