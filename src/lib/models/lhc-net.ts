/** The reference skeleton with LHC convolutions (free or rigid shapes) in all three stages. */
import * as tf from "@tensorflow/tfjs-core";
import type { Model, ForwardContext, InputShape } from "../model.js";
import { LhcConv2d, lhcDensity, maskRegularizer } from "../kernel-shapes/lhc.js";
import { mulberry32, seededVariable, zerosVariable, reluPool, headLogits } from "./method-net-parts.js";

export interface LhcNetOptions {
  shapes?: "free" | "rigid";
  cgi?: number;
  cgo?: number;
  seed?: number;
}

export class LhcNet implements Model {
  readonly name: string;
  readonly convs: LhcConv2d[];
  readonly denseWeight: tf.Variable;
  readonly denseBias: tf.Variable;

  constructor(input: InputShape, options: LhcNetOptions = {}) {
    const shapes = options.shapes ?? "free";
    this.name = `lhc-${shapes}`;
    const random = mulberry32(options.seed ?? 1);
    const rigid = shapes === "rigid";
    // Rigid shapes are 3×3 only; free shapes use the reference net's 3, 5, 5.
    const spec = [
      [input.channels, 16, 3],
      [16, 32, rigid ? 3 : 5],
      [32, 64, rigid ? 3 : 5],
    ];
    this.convs = spec.map(
      ([i, o, k], n) =>
        new LhcConv2d({
          inChannels: i,
          outChannels: o,
          kernelSize: k,
          shapes,
          cgi: n === 0 ? 1 : (options.cgi ?? 1),
          cgo: options.cgo ?? 1,
          random,
          name: `lhc${n + 1}`,
        }),
    );
    this.denseWeight = seededVariable(random, [64, input.classes], Math.sqrt(1 / 64), "lhc_dense_w");
    this.denseBias = zerosVariable([input.classes], "lhc_dense_b");
  }

  get trainableVariables(): tf.Variable[] {
    return [...this.convs.flatMap((c) => c.trainableVariables), this.denseWeight, this.denseBias];
  }

  apply(images: tf.Tensor4D, _context: ForwardContext): tf.Tensor2D {
    return tf.tidy(() => {
      let x = images;
      for (const c of this.convs) x = reluPool(c.apply(x));
      return headLogits(x, this.denseWeight, this.denseBias);
    });
  }

  /** Mask regulariser over all layers (add to the loss, times a warm-up factor). */
  regularizer(targetDensity: number): tf.Scalar {
    return maskRegularizer(this.convs, targetDensity);
  }

  density(): ReturnType<typeof lhcDensity> {
    return lhcDensity(this.convs);
  }

  dispose(): void {
    this.convs.forEach((c) => c.dispose());
    tf.dispose([this.denseWeight, this.denseBias]);
  }
}
