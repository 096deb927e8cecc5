/**
 * The state behind the live page: one continuous reference model (its nodes), the discrete twin it is
 * compared with, and the current resampling configuration. `prepare(config)` resamples the integral net
 * with the library's own code (ReferenceInn.resample → discrete weights) and prunes the twin by filter
 * L1 norm to the same sizes, returning both as weights the live evaluator runs. Everything here is plain
 * tfjs; the page and the benchmark drive it the same way.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { InputShape } from "../model.js";
import type { GroupQuadrature } from "../integral/groups.js";
import type { InterpolationKernelName } from "../math/interpolation.js";
import { REFERENCE_INN_GROUPS, ReferenceInn, type ReferenceInnGroup } from "../models/reference-inn.js";
import { referenceInnOptionsFromSpec, referenceInnSpec } from "../models/reference-inn-spec.js";
import { innDiscreteParameters } from "../compression/conversion.js";
import { readParameters, type ParameterTensor } from "../compression/parameters.js";
import { referenceChannelLayout, reindexChannels } from "../compression/channel-layout.js";
import { selectChannels } from "../compression/pruning.js";
import { compressionAt, type Compression } from "../integral/accounting.js";
import type { EvaluationTarget } from "./live-evaluator.js";
import type { ReferenceWeights } from "./receptive-field.js";

export type LiveSizes = Record<ReferenceInnGroup, number>;

/** Quadratures a hidden group can use on a uniform partition. */
export const LIVE_QUADRATURES: readonly GroupQuadrature[] = ["trapezoid", "simpson", "left-riemann", "right-riemann"];
export const LIVE_KERNELS: readonly InterpolationKernelName[] = ["cubic", "linear", "nearest"];

export interface LiveConfig {
  sizes: LiveSizes;
  kernel: InterpolationKernelName;
  quadrature: GroupQuadrature;
}

export interface PreparedNets {
  config: LiveConfig;
  inn: EvaluationTarget;
  l1: EvaluationTarget;
  /** Params/FLOPs of both nets at these sizes (same architecture) and compression vs full size. */
  compression: Compression;
}

function referenceWeightsOf(tensors: readonly tf.Tensor[]): ReferenceWeights {
  const [w1, b1, w2, b2, w3, b3, wd, bd] = tensors;
  return {
    convs: [
      { weight: w1 as tf.Tensor4D, bias: b1 as tf.Tensor1D },
      { weight: w2 as tf.Tensor4D, bias: b2 as tf.Tensor1D },
      { weight: w3 as tf.Tensor4D, bias: b3 as tf.Tensor1D },
    ],
    dense: { weight: wd as tf.Tensor2D, bias: bd as tf.Tensor1D },
  };
}

/**
 * Sample every size of every hidden group once, so the groups' per-size sampling cache (kept constants)
 * is full from the start: slider moves then allocate nothing that outlives them, and the tensor count of
 * the page stays flat however long a reader plays.
 */
function warmSamplingCache(inn: ReferenceInn, quadrature: GroupQuadrature): void {
  const full = inn.groups.fullSizes;
  for (const g of REFERENCE_INN_GROUPS) {
    for (let size = 2; size <= full[g]; size++) {
      if (quadrature === "simpson" && size % 2 === 0) continue;
      inn.groups.sampling(g, { ...full, [g]: size });
    }
  }
}

export interface LiveSessionOptions {
  /** Full-size discrete parameters of the twin pruned by L1 (default: the integral net at full size). */
  twin?: readonly ParameterTensor[];
  /** What the twin is, for labels ("trained discrete net" or "integral net at full size"). */
  twinLabel?: string;
}

export class LiveSession {
  readonly input: InputShape;
  /** The nodes as loaded (kernel and quadrature as trained); never resampled. */
  private readonly base: ReferenceInn;
  /** The net resampled for the current kernel and quadrature (rebuilt when they change). */
  private inn?: ReferenceInn;
  private innOptions = "";
  readonly twin: readonly ParameterTensor[];
  readonly twinLabel: string;
  private l1?: { key: string; tensors: tf.Tensor[] };
  private current?: PreparedNets;
  readonly trained: { kernel: InterpolationKernelName; quadrature: GroupQuadrature };

  /** Takes ownership of `model` (disposed with the session). */
  constructor(model: ReferenceInn, options: LiveSessionOptions = {}) {
    this.base = model;
    this.input = { ...model.input };
    const spec = referenceInnSpec(model);
    this.trained = { kernel: spec.kernel as InterpolationKernelName, quadrature: spec.quadrature as GroupQuadrature };
    if (options.twin) {
      this.twin = options.twin;
      this.twinLabel = options.twinLabel ?? "discrete twin";
    } else {
      const full = model.groups.fullSizes;
      model.resample({ conv1: full.conv1, conv2: full.conv2, conv3: full.conv3 });
      this.twin = innDiscreteParameters(model);
      this.twinLabel = options.twinLabel ?? "the integral net sampled at full size";
    }
  }

  get fullSizes(): LiveSizes {
    const full = this.base.groups.fullSizes;
    return { conv1: full.conv1, conv2: full.conv2, conv3: full.conv3 };
  }

  get trainingRanges() {
    return this.base.trainingRanges;
  }

  /** The resampled integral net of the last `prepare` (for export, weight views). */
  get model(): ReferenceInn {
    if (!this.inn) throw new Error("LiveSession: call prepare() first");
    return this.inn;
  }

  get prepared(): PreparedNets | undefined {
    return this.current;
  }

  /** Check a configuration against this model; returns the problem as a sentence, or undefined. */
  problem(config: LiveConfig): string | undefined {
    const full = this.fullSizes;
    for (const g of REFERENCE_INN_GROUPS) {
      const size = config.sizes[g];
      if (!Number.isInteger(size) || size < 2 || size > full[g])
        return `${g} size must be an integer in [2, ${full[g]}], got ${size}`;
      if (config.quadrature === "simpson" && size % 2 === 0)
        return `Simpson's rule needs an odd number of channels, ${g} has ${size}`;
    }
    if (!LIVE_KERNELS.includes(config.kernel)) return `unknown kernel "${config.kernel}"`;
    if (!LIVE_QUADRATURES.includes(config.quadrature)) return `unknown quadrature "${config.quadrature}"`;
    return undefined;
  }

  private integralNet(kernel: InterpolationKernelName, quadrature: GroupQuadrature): ReferenceInn {
    const key = `${kernel}|${quadrature}`;
    if (this.inn && this.innOptions === key) return this.inn;
    const spec = referenceInnSpec(this.base);
    const options = referenceInnOptionsFromSpec({
      ...spec,
      kernel,
      quadrature,
      ...(kernel === "cubic" ? {} : { cubicA: undefined }),
    });
    const next = new ReferenceInn(this.input, options);
    try {
      next.trainableVariables.forEach((v, i) => v.assign(this.base.trainableVariables[i]));
    } catch (e) {
      next.dispose();
      throw e;
    }
    warmSamplingCache(next, quadrature);
    this.inn?.dispose();
    this.inn = next;
    this.innOptions = key;
    return next;
  }

  /** L1-pruned twin tensors at `sizes` (cached for the last sizes). */
  private prunedTwin(sizes: LiveSizes): tf.Tensor[] {
    const key = REFERENCE_INN_GROUPS.map((g) => sizes[g]).join("/");
    if (this.l1?.key === key) return this.l1.tensors;
    const layout = referenceChannelLayout();
    const keep = selectChannels(this.twin, layout, sizes, "l1");
    const params = reindexChannels(this.twin, layout, keep);
    const order = ["conv1", "conv2", "conv3", "dense"].flatMap((l) => [`${l}.weight`, `${l}.bias`]);
    const tensors = order.map((name) => {
      const p = params.find((q) => q.name === name);
      if (!p) throw new Error(`LiveSession: the twin has no parameter "${name}"`);
      return tf.tensor(p.values, p.shape, "float32");
    });
    if (this.l1) tf.dispose(this.l1.tensors);
    this.l1 = { key, tensors };
    return tensors;
  }

  /**
   * Resample to `config` and return both nets. The returned weights stay valid until the next
   * `prepare` or `dispose` (run evaluations of one preparation before preparing the next).
   */
  prepare(config: LiveConfig): PreparedNets {
    const problem = this.problem(config);
    if (problem) throw new Error(`LiveSession: ${problem}`);
    const inn = this.integralNet(config.kernel, config.quadrature);
    inn.resample(config.sizes);
    const sizes = inn.groups.sizes;
    const innTensors = [...inn.convs, inn.dense].flatMap((layer) => {
      const { weight, bias } = layer.discreteWeights(sizes, false);
      return [weight, bias!];
    });
    const s = config.sizes;
    const prefix = `${config.kernel}|${config.quadrature}`;
    const innKeys: [string, string, string] = [
      `${prefix}|${s.conv1}`,
      `${prefix}|${s.conv1}/${s.conv2}`,
      `${prefix}|${s.conv2}/${s.conv3}`,
    ];
    const l1Keys: [string, string, string] = [`${s.conv1}`, `${s.conv1}/${s.conv2}`, `${s.conv2}/${s.conv3}`];
    this.current = {
      config: { ...config, sizes: { ...config.sizes } },
      inn: { tag: "inn", weights: referenceWeightsOf(innTensors), layerKeys: innKeys },
      l1: { tag: "l1", weights: referenceWeightsOf(this.prunedTwin(config.sizes)), layerKeys: l1Keys },
      compression: compressionAt(inn, config.sizes),
    };
    return this.current;
  }

  /** Discrete parameters of the resampled integral net at the prepared sizes (for export). */
  discreteParameters(): ParameterTensor[] {
    return innDiscreteParameters(this.model);
  }

  /** The nodes of the model as loaded (full continuous parameters), for saving or inspection. */
  nodeParameters(): ParameterTensor[] {
    return readParameters(this.base);
  }

  dispose(): void {
    this.inn?.dispose();
    this.inn = undefined;
    if (this.l1) tf.dispose(this.l1.tensors);
    this.l1 = undefined;
    this.base.dispose();
    this.current = undefined;
  }
}
