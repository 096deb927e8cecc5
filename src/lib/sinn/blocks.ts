/**
 * Block builders. Each adds one block's nodes to a plan (tagged with the block, so a drawing can
 * collapse it) and returns the node that carries the block's output.
 *
 * `form: "separable"` builds the separable integral block (SIB); `form: "full"` builds the same block
 * with every separable pair replaced by one full k×k conv — the INN (and discrete) counterpart, equal
 * in depth (counted in blocks and spatial units) and width.
 *
 * The SIB diagrams are THIS PROJECT'S RECONSTRUCTION (docs/design.md §5): the SINN paper names the five
 * blocks after the fabric units of NIN, VGG11, GoogLeNet, ResNet18 and ResNet50 but publishes no
 * diagrams. Every conv is followed by batch-norm + ReLU unless noted:
 *
 *   NIN-SIB        dw k×k → pw → pw 1×1 → pw 1×1           (mlpconv, spatial conv made separable)
 *   VGG-SIB        (dw 3×3 → pw) per VGG 3×3 conv, max-pool after the stage
 *   Inception-SIB  pw | pw → dw 3×3 → pw | pw → dw 5×5 → pw | max-pool 3×3 → pw ; concat
 *   ResNet18-SIB   dw 3×3 → pw → dw 3×3 → pw (no ReLU) + shortcut (identity, or pw with stride) → add → ReLU
 *   ResNet50-SIB   pw reduce → dw 3×3 → pw expand (no ReLU) + shortcut → add → ReLU
 */
import type { PlanBuilder } from "../graph/plan.js";

export type BlockForm = "separable" | "full";

/** Block kinds by form, as shown on drawings. */
export const BLOCK_KINDS = {
  nin: { separable: "NIN-SIB", full: "NIN mlpconv" },
  vgg: { separable: "VGG-SIB", full: "VGG stage" },
  inception: { separable: "Inception-SIB", full: "Inception" },
  resnet18: { separable: "ResNet18-SIB", full: "ResNet18 basic" },
  resnet50: { separable: "ResNet50-SIB", full: "ResNet50 bottleneck" },
} as const;

/** conv/pw → batch-norm → (ReLU). Returns the last node. */
function normalize(b: PlanBuilder, id: string, x: string, relu: boolean): string {
  const n = b.batchNorm(`${id}.bn`, x);
  return relu ? b.relu(`${id}.relu`, n) : n;
}

/**
 * The separable integral layer as graph nodes: depth-wise k×k on the input's group (no quadrature),
 * batch-norm + ReLU, then point-wise into `outGroup` (quadrature along the input), batch-norm, ReLU if
 * `relu`. In "full" form: one k×k conv into `outGroup`, batch-norm, ReLU if `relu`.
 */
export function spatialUnit(
  b: PlanBuilder,
  id: string,
  x: string,
  outGroup: string,
  options: { kernel: number; stride?: number; relu?: boolean; form: BlockForm },
): string {
  const { kernel, form } = options;
  const stride = options.stride ?? 1;
  const relu = options.relu ?? true;
  if (form === "full") return normalize(b, id, b.conv(id, x, outGroup, kernel, stride), relu);
  const dw = normalize(b, `${id}.dw`, b.depthwise(`${id}.dw`, x, kernel, stride), true);
  return normalize(b, `${id}.pw`, b.pointwise(`${id}.pw`, dw, outGroup), relu);
}

/** Point-wise conv → batch-norm → (ReLU), identical in both forms. */
export function pointwiseUnit(
  b: PlanBuilder,
  id: string,
  x: string,
  outGroup: string,
  options: { stride?: number; relu?: boolean } = {},
): string {
  return normalize(b, id, b.pointwise(id, x, outGroup, options.stride ?? 1), options.relu ?? true);
}

export interface NinBlockOptions {
  kernel: number;
  /** Channels of the spatial conv and the two 1×1 convs. */
  widths: [number, number, number];
  stride?: number;
}

/** NIN mlpconv block: spatial k×k → 1×1 → 1×1 (NIN-SIB: dw k×k → pw → pw → pw). */
export function ninBlock(b: PlanBuilder, name: string, x: string, options: NinBlockOptions, form: BlockForm): string {
  return b.inBlock({ id: name, kind: BLOCK_KINDS.nin[form] }, () => {
    const [g1, g2, g3] = options.widths.map((w, i) => b.group(`${name}.c${i + 1}`, w));
    let h = spatialUnit(b, `${name}.conv1`, x, g1, { kernel: options.kernel, stride: options.stride, form });
    h = pointwiseUnit(b, `${name}.conv2`, h, g2);
    return pointwiseUnit(b, `${name}.conv3`, h, g3);
  });
}

export interface VggBlockOptions {
  /** Output channels of each 3×3 conv of the stage. */
  widths: number[];
  /** Max-pool 2×2 (stride 2, "same") after the stage (default true). */
  pool?: boolean;
}

/** VGG stage: 3×3 convs (VGG-SIB: dw 3×3 → pw each), then max-pool. */
export function vggBlock(b: PlanBuilder, name: string, x: string, options: VggBlockOptions, form: BlockForm): string {
  if (options.widths.length === 0) throw new Error(`vggBlock ${name}: needs at least one conv`);
  return b.inBlock({ id: name, kind: BLOCK_KINDS.vgg[form] }, () => {
    let h = x;
    options.widths.forEach((w, i) => {
      h = spatialUnit(b, `${name}.conv${i + 1}`, h, b.group(`${name}.c${i + 1}`, w), { kernel: 3, form });
    });
    return (options.pool ?? true) ? b.maxPool(`${name}.pool`, h, 2, 2) : h;
  });
}

export interface InceptionBlockOptions {
  /** 1×1 branch. */
  b1: number;
  /** 3×3 branch: reduce, output. */
  b2: [number, number];
  /** 5×5 branch: reduce, output. */
  b3: [number, number];
  /** Pool branch projection. */
  b4: number;
}

/** Inception block: four branches concatenated into a composite group `${name}.out`. */
export function inceptionBlock(
  b: PlanBuilder,
  name: string,
  x: string,
  options: InceptionBlockOptions,
  form: BlockForm,
): string {
  return b.inBlock({ id: name, kind: BLOCK_KINDS.inception[form] }, () => {
    const br1 = pointwiseUnit(b, `${name}.b1`, x, b.group(`${name}.b1`, options.b1));
    const r2 = pointwiseUnit(b, `${name}.b2.reduce`, x, b.group(`${name}.b2r`, options.b2[0]));
    const br2 = spatialUnit(b, `${name}.b2.conv`, r2, b.group(`${name}.b2`, options.b2[1]), { kernel: 3, form });
    const r3 = pointwiseUnit(b, `${name}.b3.reduce`, x, b.group(`${name}.b3r`, options.b3[0]));
    const br3 = spatialUnit(b, `${name}.b3.conv`, r3, b.group(`${name}.b3`, options.b3[1]), { kernel: 5, form });
    const pooled = b.maxPool(`${name}.b4.pool`, x, 3, 1);
    const br4 = pointwiseUnit(b, `${name}.b4.proj`, pooled, b.group(`${name}.b4`, options.b4));
    return b.concat(`${name}.concat`, [br1, br2, br3, br4], `${name}.out`);
  });
}

export interface ResidualBlockOptions {
  /** Output channels; with stride 1 and out equal to the input's size, the shortcut is the identity. */
  out: number;
  stride?: number;
  /** Force a projection shortcut even where identity would fit. */
  project?: boolean;
}

/** Identity shortcut (the output joins the input's group) or a strided pw + batch-norm into a new group. */
function shortcut(
  b: PlanBuilder,
  name: string,
  x: string,
  options: ResidualBlockOptions,
): { node: string; group: string } {
  const stride = options.stride ?? 1;
  const inGroup = b.groupOf(x);
  if (stride === 1 && !options.project && b.sizeOf(inGroup) === options.out) return { node: x, group: inGroup };
  const group = b.group(`${name}.out`, options.out);
  return { node: pointwiseUnit(b, `${name}.shortcut`, x, group, { stride, relu: false }), group };
}

/** ResNet18 basic block: 3×3 → 3×3 (no ReLU) + shortcut → add → ReLU (SIB: each 3×3 as dw 3×3 → pw). */
export function basicBlock(
  b: PlanBuilder,
  name: string,
  x: string,
  options: ResidualBlockOptions,
  form: BlockForm,
): string {
  return b.inBlock({ id: name, kind: BLOCK_KINDS.resnet18[form] }, () => {
    const sc = shortcut(b, name, x, options);
    const mid = b.group(`${name}.mid`, options.out);
    const h = spatialUnit(b, `${name}.conv1`, x, mid, { kernel: 3, stride: options.stride, form });
    const y = spatialUnit(b, `${name}.conv2`, h, sc.group, { kernel: 3, relu: false, form });
    return b.relu(`${name}.relu`, b.addNodes(`${name}.add`, y, sc.node));
  });
}

export interface BottleneckBlockOptions extends ResidualBlockOptions {
  /** Channels of the reduced (middle) axis. */
  mid: number;
}

/**
 * ResNet50 bottleneck: pw reduce → 3×3 (stride here) → pw expand (no ReLU) + shortcut → add → ReLU.
 * SIB: the full 3×3 becomes a depth-wise 3×3 on the reduced group, and the expand is its point-wise
 * half, so the SIB has one conv fewer than the full block.
 */
export function bottleneckBlock(
  b: PlanBuilder,
  name: string,
  x: string,
  options: BottleneckBlockOptions,
  form: BlockForm,
): string {
  return b.inBlock({ id: name, kind: BLOCK_KINDS.resnet50[form] }, () => {
    const sc = shortcut(b, name, x, options);
    const reduced = b.group(`${name}.mid`, options.mid);
    let h = pointwiseUnit(b, `${name}.reduce`, x, reduced);
    if (form === "full")
      h = normalize(
        b,
        `${name}.conv`,
        b.conv(`${name}.conv`, h, b.group(`${name}.mid2`, options.mid), 3, options.stride ?? 1),
        true,
      );
    else h = normalize(b, `${name}.dw`, b.depthwise(`${name}.dw`, h, 3, options.stride ?? 1), true);
    const y = pointwiseUnit(b, `${name}.expand`, h, sc.group, { relu: false });
    return b.relu(`${name}.relu`, b.addNodes(`${name}.add`, y, sc.node));
  });
}
