/**
 * Interleaved grouped point-wise convolution (IGPC; Schwarz Schuler et al., kEffNet / "kConv2DType10"):
 * a point-wise layer Cin → F replaced by
 *
 *   yK = K(x)                          grouped 1×1, Ch input channels per group (uneven plan)
 *   yL = L(interleave(yK))             grouped 1×1 on K's outputs, F → F, Ch per group
 *   y  = yK + yL
 *
 * The interleave step is floor(F / Ch) as in the reference. The reference adds L only when K has more
 * than one group and the layer does not expand (Cin ≥ F): `interGroup: "auto"`; "always"/"never" override.
 * Both K and L are linear (bias optional); activations and normalisation belong to the model.
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  UnevenGroupedPointwise,
  unevenGroupedPlan,
  type GroupWiring,
  type UnevenGroupedPointwiseOptions,
} from "./uneven-grouped-pointwise.js";
import { ChannelPermutation, interleavePermutation } from "./interleave.js";
import { mulberry32 } from "../random.js";

export interface IgpcOptions extends UnevenGroupedPointwiseOptions {
  interGroup?: "auto" | "always" | "never";
}

/** Channel wiring for drawing: K's groups, the interleave, and L's groups in terms of K's outputs. */
export interface IgpcWiring {
  inChannels: number;
  filters: number;
  k: { groups: GroupWiring[]; replicated: { padded: number; source: number }[]; paddedChannels: number };
  /** L's input position j reads K's output channel interleave[j]; null when L is absent. */
  interleave: number[] | null;
  /** L's groups; `inputs` are K output channels (interleave and replication resolved). */
  l: { groups: GroupWiring[]; replicated: { padded: number; source: number }[]; paddedChannels: number } | null;
}

export interface IgpcCost {
  /** Trainable numbers (weights + biases). */
  params: number;
  /** Multiply–accumulates per output pixel (× H·W for the layer); biases and the sum add F each. */
  macsPerPixel: number;
  /** The same two numbers for a dense 1×1 conv Cin → F with bias. */
  denseParams: number;
  denseMacsPerPixel: number;
}

export class InterleavedGroupedPointwise {
  readonly inChannels: number;
  readonly filters: number;
  readonly k: UnevenGroupedPointwise;
  readonly l: UnevenGroupedPointwise | null;
  readonly interleave: ChannelPermutation | null;

  constructor(inChannels: number, filters: number, channelsPerGroup: number, options: IgpcOptions = {}) {
    const random = options.random ?? mulberry32(options.seed ?? 1);
    const name = options.name ?? "igpc";
    this.inChannels = inChannels;
    this.filters = filters;
    this.k = new UnevenGroupedPointwise(inChannels, filters, channelsPerGroup, {
      ...options,
      random,
      name: `${name}_K`,
    });
    const mode = options.interGroup ?? "auto";
    const possible = this.k.plan.groups > 1 && filters >= channelsPerGroup;
    if (mode === "always" && !possible) {
      this.k.dispose();
      throw new Error(
        `InterleavedGroupedPointwise: layer L impossible for ${inChannels}→${filters} with Ch = ${channelsPerGroup} (K has ${this.k.plan.groups} group(s); L needs F ≥ Ch)`,
      );
    }
    const withL = mode === "always" || (mode === "auto" && possible && inChannels >= filters);
    if (withL) {
      const step = Math.floor(filters / channelsPerGroup);
      this.interleave = step > 1 ? new ChannelPermutation(interleavePermutation(filters, step)) : null;
      this.l = new UnevenGroupedPointwise(filters, filters, channelsPerGroup, {
        ...options,
        random,
        name: `${name}_L`,
      });
    } else {
      this.interleave = null;
      this.l = null;
    }
  }

  get trainableVariables(): tf.Variable[] {
    return [...this.k.trainableVariables, ...(this.l ? this.l.trainableVariables : [])];
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const yK = this.k.apply(x);
      if (!this.l) return yK;
      const mixed = this.interleave ? this.interleave.apply(yK) : yK;
      return tf.add(yK, this.l.apply(mixed));
    });
  }

  /** Wiring as plain data (see IgpcWiring). */
  wiring(): IgpcWiring {
    const kp = this.k.plan;
    const perm = this.interleave
      ? this.interleave.perm
      : this.l
        ? Array.from({ length: this.filters }, (_, j) => j)
        : null;
    const lp = this.l?.plan;
    return {
      inChannels: this.inChannels,
      filters: this.filters,
      k: { groups: kp.wiring, replicated: kp.replicated, paddedChannels: kp.paddedChannels },
      interleave: this.l ? perm : null,
      l:
        lp && perm
          ? {
              groups: lp.wiring.map((g) => ({ ...g, inputs: g.inputs.map((j) => perm[j]) })),
              replicated: lp.replicated,
              paddedChannels: lp.paddedChannels,
            }
          : null,
    };
  }

  cost(): IgpcCost {
    const bias = this.k.bias ? 1 : 0;
    const weights = this.k.plan.weightCount + (this.l ? this.l.plan.weightCount : 0);
    const biases = bias * this.filters * (this.l ? 2 : 1);
    return {
      params: weights + biases,
      macsPerPixel: weights,
      denseParams: this.inChannels * this.filters + this.filters,
      denseMacsPerPixel: this.inChannels * this.filters,
    };
  }

  /**
   * The equivalent dense layer: y = x·W + b with W = WK + WK·P·WL (P the interleave), b likewise.
   * Returns W [inChannels, filters] row-major and b [filters].
   */
  denseEquivalent(): { matrix: Float32Array; bias: Float32Array } {
    const cin = this.inChannels,
      f = this.filters;
    const wk = this.k.denseMatrix();
    const bk = this.k.bias ? this.k.bias.dataSync() : new Float32Array(f);
    const matrix = Float32Array.from(wk);
    const bias = Float32Array.from(bk);
    if (this.l) {
      const wl = this.l.denseMatrix(); // rows = L input positions
      const bl = this.l.bias ? this.l.bias.dataSync() : new Float32Array(f);
      const perm = this.interleave ? this.interleave.perm : Array.from({ length: f }, (_, j) => j);
      for (let o = 0; o < f; o++) {
        for (let j = 0; j < f; j++) {
          const w = wl[j * f + o];
          if (w === 0) continue;
          const kc = perm[j];
          for (let i = 0; i < cin; i++) matrix[i * f + o] += wk[i * f + kc] * w;
          bias[o] += bk[kc] * w;
        }
        bias[o] += bl[o];
      }
    }
    return { matrix, bias };
  }

  dispose(): void {
    this.k.dispose();
    this.l?.dispose();
    this.interleave?.dispose();
  }
}

export { unevenGroupedPlan };
