/**
 * Adam and SGD with momentum, written out (instead of tf.train.*) so the learning rate can change
 * per step, the update matches PyTorch's formulas term for term, and the state is ours to dispose.
 * Gradients are matched to variables by index (the Model contract fixes the variable order).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { OptimizerName } from "./settings.js";

/**
 * Kernel names of optional one-call updates of one variable (the native engine registers them): AdamUpdate
 * (inputs x, m, v, g; attrs beta1, beta2, epsilon, sqrtCorrection2, stepSize; outputs x, m, v) and
 * SgdMomentumUpdate (inputs x, velocity, g; attrs momentum, learningRate; outputs x, velocity). They compute
 * the ops below in the same order; a backend without them runs the ops.
 */
export const AdamUpdate = "AdamUpdate";
export const SgdMomentumUpdate = "SgdMomentumUpdate";

const hasKernel = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;

export interface Optimizer {
  /** Apply one update with learning rate `learningRate`; gradients align with the variables by index. */
  step(gradients: readonly tf.Tensor[], learningRate: number): void;
  /** Free the optimizer state (the variables belong to the model). */
  dispose(): void;
}

export interface OptimizerOptions {
  /** SGD momentum μ: v ← μv + g, w ← w − lr·v (PyTorch's form, no dampening). */
  momentum?: number;
  /** Adam β1, β2, ε (PyTorch defaults 0.9, 0.999, 1e-8). */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Scale the gradients down when their global L2 norm exceeds this (0 or absent: never). */
  clipNorm?: number;
}

/**
 * The gradients scaled by min(1, maxNorm / ‖g‖), ‖g‖ the L2 norm over all of them (PyTorch's clip_grad_norm_,
 * with its 1e-6); as they are when maxNorm is 0. Call inside a tidy.
 */
export function clipByGlobalNorm(gradients: readonly tf.Tensor[], maxNorm: number): readonly tf.Tensor[] {
  if (!(maxNorm > 0)) return gradients;
  const norm = tf.sqrt(tf.addN(gradients.map((g) => tf.sum(tf.square(g)))));
  const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
  return gradients.map((g) => tf.mul(g, scale));
}

function checkGradients(variables: readonly tf.Variable[], gradients: readonly tf.Tensor[]): void {
  if (gradients.length !== variables.length) {
    throw new Error(`optimizer: got ${gradients.length} gradients for ${variables.length} variables`);
  }
  variables.forEach((v, i) => {
    if (!tf.util.arraysEqual(v.shape, gradients[i].shape)) {
      throw new Error(`optimizer: gradient ${i} has shape [${gradients[i].shape}], variable has [${v.shape}]`);
    }
  });
}

// tidy frees the initial tensor; the variable keeps its data (variables are not tracked by tidy).
const zerosVariable = (v: tf.Variable) => tf.tidy(() => tf.variable(tf.zerosLike(v), false));

export class SgdMomentum implements Optimizer {
  private readonly velocity: tf.Variable[];
  constructor(
    private readonly variables: readonly tf.Variable[],
    private readonly momentum = 0.9,
    private readonly clipNorm = 0,
  ) {
    this.velocity = momentum > 0 ? variables.map(zerosVariable) : [];
  }

  step(rawGradients: readonly tf.Tensor[], learningRate: number): void {
    checkGradients(this.variables, rawGradients);
    const fused = this.momentum > 0 && hasKernel(SgdMomentumUpdate);
    tf.tidy(() => {
      const gradients = clipByGlobalNorm(rawGradients, this.clipNorm);
      this.variables.forEach((v, i) => {
        if (fused) {
          const inputs = { x: v, velocity: this.velocity[i], g: gradients[i] };
          const attrs = { momentum: this.momentum, learningRate };
          const [x, velocity] = tf.engine().runKernel(SgdMomentumUpdate, inputs, attrs) as tf.Tensor[];
          this.velocity[i].assign(velocity);
          v.assign(x);
          return;
        }
        let direction = gradients[i];
        if (this.momentum > 0) {
          direction = tf.add(tf.mul(this.velocity[i], this.momentum), gradients[i]);
          this.velocity[i].assign(direction);
        }
        v.assign(tf.sub(v, tf.mul(direction, learningRate)));
      });
    });
  }

  dispose(): void {
    tf.dispose(this.velocity);
  }
}

export class Adam implements Optimizer {
  private readonly firstMoment: tf.Variable[];
  private readonly secondMoment: tf.Variable[];
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly clipNorm: number;
  private t = 0;

  constructor(
    private readonly variables: readonly tf.Variable[],
    options: OptimizerOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.clipNorm = options.clipNorm ?? 0;
    this.firstMoment = variables.map(zerosVariable);
    this.secondMoment = variables.map(zerosVariable);
  }

  step(rawGradients: readonly tf.Tensor[], learningRate: number): void {
    checkGradients(this.variables, rawGradients);
    this.t += 1;
    const correction1 = 1 - this.beta1 ** this.t;
    const correction2 = 1 - this.beta2 ** this.t;
    const fused = hasKernel(AdamUpdate);
    tf.tidy(() => {
      const gradients = clipByGlobalNorm(rawGradients, this.clipNorm);
      this.variables.forEach((v, i) => {
        const g = gradients[i];
        if (fused) {
          const inputs = { x: v, m: this.firstMoment[i], v: this.secondMoment[i], g };
          const attrs = {
            beta1: this.beta1,
            beta2: this.beta2,
            epsilon: this.epsilon,
            sqrtCorrection2: Math.sqrt(correction2),
            stepSize: learningRate / correction1,
          };
          const [x, m, s] = tf.engine().runKernel(AdamUpdate, inputs, attrs) as tf.Tensor[];
          this.firstMoment[i].assign(m);
          this.secondMoment[i].assign(s);
          v.assign(x);
          return;
        }
        const m = tf.add(tf.mul(this.firstMoment[i], this.beta1), tf.mul(g, 1 - this.beta1));
        const s = tf.add(tf.mul(this.secondMoment[i], this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        this.firstMoment[i].assign(m);
        this.secondMoment[i].assign(s);
        // PyTorch: w −= (lr / c1) · m / (√s / √c2 + ε)
        const denominator = tf.add(tf.div(tf.sqrt(s), Math.sqrt(correction2)), this.epsilon);
        v.assign(tf.sub(v, tf.mul(tf.div(m, denominator), learningRate / correction1)));
      });
    });
  }

  dispose(): void {
    tf.dispose([...this.firstMoment, ...this.secondMoment]);
  }
}

/** The optimizer called `name` over `variables`. */
export function createOptimizer(
  name: OptimizerName,
  variables: readonly tf.Variable[],
  options: OptimizerOptions = {},
): Optimizer {
  if (name === "adam") return new Adam(variables, options);
  if (name === "sgd") return new SgdMomentum(variables, options.momentum ?? 0.9, options.clipNorm ?? 0);
  throw new Error(`unknown optimizer "${name as string}" (known: adam, sgd)`);
}
