/**
 * Training the kernel-shape and grouped point-wise nets (LHC, SSC, IGPC on the reference skeleton)
 * with their recipes (loaders/recipes.ts METHOD_RECIPES), shared by the sweep (loaders/sweep/tasks/method-net.ts) and
 * the results command (loaders/studies/method-results.ts): build the net, train it (LHC: mask stage with the
 * regulariser ramped in and masks enabled gradually, then frozen masks), and measure its cost the way the
 * curves do (parameters and FLOPs = 2 × multiply–accumulates, LHC counting kept weights only).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ForwardContext, InputShape, Model } from "../src/lib/model.js";
import type { ModelCost } from "../src/lib/integral/accounting.js";
import { LhcNet } from "../src/lib/models/lhc-net.js";
import { SscNet } from "../src/lib/models/ssc-net.js";
import { IgpcNet } from "../src/lib/models/igpc-net.js";
import { lhcMaskEnableFraction, shapeHistogram, type LhcConv2d } from "../src/lib/kernel-shapes/lhc.js";
import type { LhcMaskLayer, LhcMasks } from "../src/lib/io/curves-schema.js";
import { resolveSettings, type TrainSettings } from "../src/lib/train/settings.js";
import { methodRecipe, type MethodRecipeKind } from "./recipes.js";

export type MethodNetTask =
  { kind: "lhc"; density: number } | { kind: "ssc" } | { kind: "igpc"; channelsPerGroup: number };

/** The curves' method id: lhc-<density>, ssc, igpc-ch<Ch>. */
export function methodNetId(task: MethodNetTask): string {
  return task.kind === "lhc" ? `lhc-${task.density}` : task.kind === "igpc" ? `igpc-ch${task.channelsPerGroup}` : "ssc";
}

/** Parse "lhc-0.3", "ssc", "igpc-ch8" (or "igpc-8") back into a task, with a clear error. */
export function parseMethodNet(id: string): MethodNetTask {
  if (id === "ssc") return { kind: "ssc" };
  const lhc = /^lhc-(0?\.\d+)$/.exec(id);
  if (lhc && Number(lhc[1]) > 0 && Number(lhc[1]) < 1) return { kind: "lhc", density: Number(lhc[1]) };
  const igpc = /^igpc-(?:ch)?(\d+)$/.exec(id);
  if (igpc && Number(igpc[1]) >= 1) return { kind: "igpc", channelsPerGroup: Number(igpc[1]) };
  throw new Error(`method nets: unknown method "${id}" (use lhc-<density in (0, 1)>, ssc or igpc-ch<Ch>)`);
}

/** LHC as a trainable Model: the mask regulariser in the loss (ramped in) and masks enabled gradually. */
export class LhcTraining implements Model {
  readonly name: string;
  private factor = 0;
  constructor(
    readonly net: LhcNet,
    readonly density: number,
    private readonly warmupEpochs: number,
  ) {
    this.name = net.name;
  }
  get trainableVariables(): tf.Variable[] {
    return this.net.trainableVariables;
  }
  apply(images: tf.Tensor4D, context: ForwardContext): tf.Tensor2D {
    return this.net.apply(images, context);
  }
  startEpoch(epoch: number): void {
    const p = lhcMaskEnableFraction(epoch + 1, this.warmupEpochs);
    for (const c of this.net.convs) c.setMaskEnable(p);
    this.factor = p;
  }
  regularization(): tf.Scalar {
    return tf.tidy(() => tf.mul(this.net.regularizer(this.density), this.factor) as tf.Scalar);
  }
  dispose(): void {}
}

/** Resolved settings of a method's recipe: `overrides` (seed, limits, epochs …) win; LHC's mask-stage epochs apart. */
export function methodNetSettings(
  kind: MethodRecipeKind,
  overrides: Partial<TrainSettings> & { maskEpochs?: number } = {},
): { settings: TrainSettings; maskEpochs: number } {
  const r = methodRecipe(kind);
  const { maskEpochs, ...rest } = overrides;
  return { settings: resolveSettings({ ...r.settings, ...rest }), maskEpochs: maskEpochs ?? r.maskEpochs ?? 0 };
}

/** Areas (output positions) of the three conv stages of the reference skeleton. */
function stageAreas(inp: InputShape): number[] {
  return [0, 1, 2].map((s) => Math.floor(inp.height / 2 ** s) * Math.floor(inp.width / 2 ** s));
}

/** Parameters and FLOPs (2 × multiply–accumulates) of a trained method net, for one image. */
export function methodNetCost(net: LhcNet | SscNet | IgpcNet, inp: InputShape): ModelCost {
  const areas = stageAreas(inp);
  const stages: { params: number; macsPerPixel: number }[] = [];
  if (net instanceof LhcNet) {
    for (const c of net.convs) {
      const kept = c.stats().keptWeights;
      stages.push({ params: kept + c.outChannels, macsPerPixel: kept });
    }
  } else {
    stages.push({ params: 9 * inp.channels * 16 + 16, macsPerPixel: 9 * inp.channels * 16 });
    if (net instanceof SscNet) stages.push(...net.stageCosts());
    else {
      net.pointwise.forEach((p, s) => {
        const c = p.cost();
        const dw = 25 * [16, 32][s];
        stages.push({ params: dw + c.params, macsPerPixel: dw + c.macsPerPixel });
      });
    }
  }
  let cost: ModelCost = { params: 64 * inp.classes + inp.classes, flops: 2 * 64 * inp.classes };
  stages.forEach((s, i) => {
    cost = { params: cost.params + s.params, flops: cost.flops + 2 * s.macsPerPixel * areas[i] };
  });
  return cost;
}

/** Every layer's tile masks, densities and shape histogram (the curves' `lhcMasks`), after training. */
export function lhcMasksOf(net: LhcNet, inp: InputShape, seed: number, topShapes = 24): LhcMasks {
  // One forward pass sets each layer's output area (FLOP density).
  tf.tidy(() => {
    net.apply(tf.zeros([1, inp.height, inp.width, inp.channels]) as tf.Tensor4D, { training: false });
  });
  const layers = net.convs.map((c, n) => lhcLayerMasks(c, `conv${n + 1}`, topShapes));
  const d = net.density();
  return { seed, weightDensity: d.weightDensity, flopDensity: d.flopDensity, layers };
}

function lhcLayerMasks(c: LhcConv2d, name: string, topShapes: number): LhcMaskLayer {
  const mask = c.maskData();
  const k = c.kernelSize,
    cin = c.inChannels,
    cout = c.outChannels;
  const tilesIn = Math.ceil(cin / c.cgi),
    tilesOut = Math.ceil(cout / c.cgo);
  // A tile's shape is that of its first (input, output) kernel: all kernels of a tile share it.
  const tiles: string[] = [];
  for (let o = 0; o < tilesOut; o++) {
    for (let i = 0; i < tilesIn; i++) {
      let s = "";
      for (let t = 0; t < k * k; t++) s += mask.data[(t * cin + i * c.cgi) * cout + o * c.cgo] ? "1" : "0";
      tiles.push(s);
    }
  }
  const histogram = shapeHistogram(mask);
  const tapCounts = new Array<number>(k * k + 1).fill(0);
  for (const h of histogram) tapCounts[h.taps] += h.count;
  const top = histogram.slice(0, topShapes);
  const stats = c.stats();
  return {
    name,
    kernelSize: k,
    inChannels: cin,
    outChannels: cout,
    cgi: c.cgi,
    cgo: c.cgo,
    shapes: c.shapes,
    tilesIn,
    tilesOut,
    tiles,
    weightDensity: stats.weightDensity,
    flopDensity: stats.flopDensity,
    keptWeights: stats.keptWeights,
    totalWeights: stats.totalWeights,
    shapeHistogram: {
      kernels: cin * cout,
      distinct: histogram.length,
      top,
      otherKernels: cin * cout - top.reduce((n, h) => n + h.count, 0),
      tapCounts,
    },
  };
}

export interface TrainedMethodNet {
  net: LhcNet | SscNet | IgpcNet;
  method: string;
  spec: Record<string, unknown>;
  training: Record<string, unknown>;
  cost: ModelCost;
  weightDensity?: number;
  lhcMasks?: LhcMasks;
}

/** The training function the caller supplies (in-process in the sweep, with progress). */
export type TrainFn = (model: Model, settings: TrainSettings, what: string) => Promise<unknown>;

/**
 * Build and train one method net with its recipe. `overrides` (seed, limitTrain, epochs, maskEpochs …)
 * replace the recipe's values; the caller disposes `net`.
 */
export async function trainMethodNet(
  task: MethodNetTask,
  inp: InputShape,
  seed: number,
  overrides: Partial<TrainSettings> & { maskEpochs?: number },
  train: TrainFn,
): Promise<TrainedMethodNet> {
  const kind: MethodRecipeKind = task.kind;
  const { settings, maskEpochs } = methodNetSettings(kind, { seed, ...overrides });
  const method = methodNetId(task);
  if (task.kind === "lhc") {
    const net = new LhcNet(inp, { shapes: "free", seed });
    try {
      const maskSettings = resolveSettings({ ...settings, epochs: maskEpochs });
      await train(
        new LhcTraining(net, task.density, maskEpochs),
        maskSettings,
        `LHC (target density ${task.density}): masks`,
      );
      for (const c of net.convs) c.freezeMask();
      await train(net, settings, `LHC (target density ${task.density}): frozen-mask fine-tune`);
      const lhcMasks = lhcMasksOf(net, inp, seed);
      return {
        net,
        method,
        spec: { name: "lhc", shapes: "free", cgi: 1, cgo: 1 },
        training: {
          recipe: "method:lhc",
          maskStage: {
            ...maskSettings,
            targetDensity: task.density,
            regularizer: "maskRegularizer × linear ramp, masks enabled over the stage",
          },
          fineTune: settings,
        },
        cost: methodNetCost(net, inp),
        weightDensity: lhcMasks.weightDensity,
        lhcMasks,
      };
    } catch (e) {
      net.dispose();
      throw e;
    }
  }
  const net =
    task.kind === "ssc"
      ? new SscNet(inp, { seed })
      : new IgpcNet(inp, { seed, channelsPerGroup: task.channelsPerGroup });
  try {
    await train(net, settings, task.kind === "ssc" ? "SSC" : `IGPC (Ch ${task.channelsPerGroup})`);
    const spec = task.kind === "ssc" ? { name: "ssc" } : { name: "igpc", channelsPerGroup: task.channelsPerGroup };
    return { net, method, spec, training: { recipe: `method:${task.kind}`, settings }, cost: methodNetCost(net, inp) };
  } catch (e) {
    net.dispose();
    throw e;
  }
}
