/**
 * Discrete channel-pruning baselines without fine-tuning (docs/design.md §3, "Pruning without fine-tuning"):
 * given a trained discrete net and a target size per channel group — the same sizes an integral net is
 * resampled to — keep each group's channels with the largest producer-filter L1 norms, or random ones,
 * and build the smaller discrete net by slicing the producer's filters and bias and the consumers'
 * input slices (channel-selection.ts chooses, conversion.ts's layouts say what moves with a group).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ForwardContext, InputShape, Model } from "../model.js";
import type { Random } from "../random.js";
import { selectByL1, selectRandom } from "./channel-selection.js";
import { readParameters, type ParameterTensor } from "./parameters.js";
import { reindexChannels, referenceChannelLayout, type GroupLayout } from "./channel-layout.js";
import { edgePad } from "../ops/edge-pad.js";
import { REFERENCE_CONVS, type ReferenceNet } from "../models/reference.js";

export type PruningMethod = "l1" | "random";

export interface SelectChannelsOptions {
  /** Needed for "random". */
  random?: Random;
}

/** Channels to keep per group (ascending original indices), for groups named in `sizes`. */
export function selectChannels(
  params: readonly ParameterTensor[],
  layout: readonly GroupLayout[],
  sizes: Readonly<Record<string, number>>,
  method: PruningMethod,
  options: SelectChannelsOptions = {},
): Record<string, Int32Array> {
  const keep: Record<string, Int32Array> = {};
  for (const [group, size] of Object.entries(sizes)) {
    const g = layout.find((l) => l.group === group);
    if (!g)
      throw new Error(`selectChannels: unknown group "${group}" (known: ${layout.map((l) => l.group).join(", ")})`);
    const filters = g.members.find((m) => m.role === "filters");
    if (!filters) throw new Error(`selectChannels: group "${group}" has no producer filters`);
    const p = params.find((q) => q.name === filters.parameter);
    if (!p) throw new Error(`selectChannels: no parameter "${filters.parameter}"`);
    const n = p.shape[filters.axis];
    if (method === "l1") keep[group] = selectByL1({ weights: p.values, shape: p.shape, axis: filters.axis }, size);
    else if (method === "random") {
      if (!options.random) throw new Error("selectChannels: random pruning needs options.random");
      keep[group] = selectRandom(n, size, options.random);
    } else throw new Error(`selectChannels: unknown method "${method as string}" (known: l1, random)`);
  }
  return keep;
}

/** The reference net's layers with any channel counts (a pruned net): conv1..3 and dense, tfjs layout. */
export class PrunedReferenceNet implements Model {
  readonly name = "reference-pruned";
  readonly input: InputShape;
  readonly parameterNames: readonly string[];
  readonly trainableVariables: tf.Variable[];
  /** Channels of conv1..conv3. */
  readonly widths: number[];

  constructor(input: InputShape, params: readonly ParameterTensor[]) {
    this.input = { ...input };
    const names = ["conv1", "conv2", "conv3", "dense"].flatMap((l) => [`${l}.weight`, `${l}.bias`]);
    let inC = input.channels;
    const widths: number[] = [];
    for (const c of REFERENCE_CONVS) {
      const w = params.find((p) => p.name === `${c.name}.weight`);
      if (!w) throw new Error(`PrunedReferenceNet: no parameter "${c.name}.weight"`);
      const out = w.shape[3];
      const shape = [c.kernel, c.kernel, inC, out];
      if (w.shape.join() !== shape.join())
        throw new Error(`PrunedReferenceNet: ${c.name}.weight has shape [${w.shape}], expected [${shape}]`);
      widths.push(out);
      inC = out;
    }
    const shapes: Record<string, number[]> = {
      "dense.weight": [inC, input.classes],
      "dense.bias": [input.classes],
      "conv1.bias": [widths[0]],
      "conv2.bias": [widths[1]],
      "conv3.bias": [widths[2]],
    };
    this.trainableVariables = names.map((name) => {
      const p = params.find((q) => q.name === name);
      if (!p) throw new Error(`PrunedReferenceNet: no parameter "${name}"`);
      if (shapes[name] && p.shape.join() !== shapes[name].join())
        throw new Error(`PrunedReferenceNet: ${name} has shape [${p.shape}], expected [${shapes[name]}]`);
      if (!p.values.every(Number.isFinite)) throw new Error(`PrunedReferenceNet: ${name} holds NaN or infinite values`);
      return tf.tidy(() => tf.variable(tf.tensor(p.values, p.shape, "float32"), false));
    });
    this.parameterNames = names;
    this.widths = widths;
  }

  /** Post-ReLU maps of conv1..conv3 (before pooling) and the logits; caller disposes. */
  activations(images: tf.Tensor4D): { maps: tf.Tensor4D[]; logits: tf.Tensor2D } {
    return tf.tidy(() => {
      const maps: tf.Tensor4D[] = [];
      let h: tf.Tensor4D = tf.sub(tf.mul(images, 2), 1);
      REFERENCE_CONVS.forEach((c, i) => {
        const [weight, bias] = [this.trainableVariables[2 * i], this.trainableVariables[2 * i + 1]];
        const a = tf.fused.conv2d({
          x: edgePad(h, c.pad),
          filter: weight as tf.Tensor4D,
          strides: 1,
          pad: "valid",
          bias,
          activation: "relu",
        });
        maps.push(a);
        h = tf.avgPool(a, 2, 2, "valid");
      });
      const [batch, , , channels] = h.shape;
      const features = tf.reshape(tf.slice(h, [0, 0, 0, 0], [batch, 1, 1, channels]), [batch, channels]) as tf.Tensor2D;
      const logits = tf.add(
        tf.matMul(features, this.trainableVariables[6] as tf.Tensor2D),
        this.trainableVariables[7],
      ) as tf.Tensor2D;
      return { maps, logits };
    });
  }

  apply(images: tf.Tensor4D, _context: ForwardContext): tf.Tensor2D {
    const { maps, logits } = this.activations(images);
    tf.dispose(maps);
    return logits;
  }

  dispose(): void {
    tf.dispose(this.trainableVariables);
  }
}

export interface PruneReferenceOptions extends SelectChannelsOptions {
  method: PruningMethod;
}

/** A pruned copy of a discrete reference net at `sizes` per hidden group (the net is left untouched). */
export function pruneReferenceNet(
  net: ReferenceNet,
  sizes: Readonly<Record<string, number>>,
  options: PruneReferenceOptions,
): { model: PrunedReferenceNet; keep: Record<string, Int32Array> } {
  const layout = referenceChannelLayout();
  const params = readParameters(net);
  const keep = selectChannels(params, layout, sizes, options.method, options);
  return { model: new PrunedReferenceNet(net.input, reindexChannels(params, layout, keep)), keep };
}

/**
 * Channels of each conv that never activate (ReLU output 0 at every position of every image of
 * `images`) — dead channels, which make L1 pruning look better than it is and waste capacity.
 */
export function deadChannels(net: PrunedReferenceNet, images: tf.Tensor4D): number[][] {
  const { maps, logits } = net.activations(images);
  const dead = maps.map((m) => {
    const maxima = tf.tidy(() => tf.max(m, [0, 1, 2]).dataSync());
    return Array.from(maxima).flatMap((v, c) => (v > 0 ? [] : [c]));
  });
  tf.dispose([...maps, logits]);
  return dead;
}
