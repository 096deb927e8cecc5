/**
 * Reading the LHC masks the curves file publishes (schema v2, `lhcMasks` on the points of methods
 * "lhc-<density>"): the trained LHC nets in the file, a layer's tiles expanded to the whole kernel mask
 * [k, k, Cin, Cout] (row-major, the layout MaskMatrix and SuperSparseConv2d.denseMask use), and a shape
 * code decoded to its k×k taps. Pure data shaping; the masks themselves come from the file.
 */
import type { CurvesFile, LhcMaskLayer, LhcMasks } from "../io/curves-schema.js";

export interface TrainedLhc {
  /** Method id ("lhc-0.5") and label. */
  method: string;
  label: string;
  family: string;
  /** The regulariser's target weight density, when the method records one. */
  targetDensity: number | null;
  /** Seed of the masks (the point's first run) and that run's test accuracy. */
  seed: number;
  accuracy: number;
  paramsCompression: number;
  flopsCompression: number;
  masks: LhcMasks;
}

/** Every trained LHC point of the file that carries masks, in file order. */
export function trainedLhcNets(curves: Pick<CurvesFile, "families">): TrainedLhc[] {
  const out: TrainedLhc[] = [];
  for (const f of curves.families) {
    for (const m of f.methods) {
      for (const p of m.points) {
        if (!p.lhcMasks) continue;
        const run = p.runs.find((r) => r.seed === p.lhcMasks!.seed) ?? p.runs[0];
        const target = (m.training[0] as { maskStage?: { targetDensity?: unknown } } | undefined)?.maskStage
          ?.targetDensity;
        const fromId = /^lhc-([0-9.]+)$/.exec(m.id);
        out.push({
          method: m.id,
          label: m.label,
          family: f.id,
          targetDensity: typeof target === "number" ? target : fromId ? Number(fromId[1]) : null,
          seed: p.lhcMasks.seed,
          accuracy: run?.accuracies[0] ?? p.accuracy.mean,
          paramsCompression: p.paramsCompression,
          flopsCompression: p.flopsCompression,
          masks: p.lhcMasks,
        });
      }
    }
  }
  return out;
}

/**
 * A layer's whole mask [k, k, Cin, Cout] from its tiles: kernel (input i, output o) takes the shape of
 * tile (⌊i / cgi⌋, ⌊o / cgo⌋), stored at tiles[⌊o / cgo⌋ · tilesIn + ⌊i / cgi⌋] as k² characters, tap
 * (r, c) at character r·k + c. Index of tap t of kernel (i, o): (t · Cin + i) · Cout + o.
 */
export function expandLhcTiles(
  layer: Pick<LhcMaskLayer, "name" | "kernelSize" | "inChannels" | "outChannels" | "cgi" | "cgo" | "tilesIn" | "tiles">,
): Uint8Array {
  const { kernelSize: k, inChannels: cin, outChannels: cout, cgi, cgo, tilesIn, tiles } = layer;
  const kk = k * k;
  const mask = new Uint8Array(kk * cin * cout);
  for (let o = 0; o < cout; o++) {
    for (let i = 0; i < cin; i++) {
      const tile = tiles[Math.floor(o / cgo) * tilesIn + Math.floor(i / cgi)];
      if (typeof tile !== "string" || tile.length !== kk)
        throw new Error(`expandLhcTiles: layer ${layer.name} has no ${kk}-tap tile for kernel (in ${i}, out ${o})`);
      for (let t = 0; t < kk; t++) if (tile.charCodeAt(t) === 49) mask[(t * cin + i) * cout + o] = 1;
    }
  }
  return mask;
}

/** The k×k taps of a shape code (bit r·k + c set when tap (r, c) is kept), as rows of 0/1. */
export function shapeFromCode(code: number, k: number): number[][] {
  if (!Number.isInteger(code) || code < 0 || code >= 2 ** (k * k))
    throw new Error(`shapeFromCode: ${code} is not a ${k}×${k} shape code`);
  return Array.from({ length: k }, (_, r) =>
    Array.from({ length: k }, (_, c) => Math.floor(code / 2 ** (r * k + c)) % 2),
  );
}

/**
 * How often each tap is kept over a layer's inChannels × outChannels kernels: a k×k grid (row-major) of
 * shares in [0, 1], counting each tile's shape once per kernel it stands for (edge tiles may be smaller).
 */
export function tapFrequency(
  layer: Pick<
    LhcMaskLayer,
    "kernelSize" | "inChannels" | "outChannels" | "cgi" | "cgo" | "tilesIn" | "tilesOut" | "tiles"
  >,
): Float64Array {
  const { kernelSize: k, inChannels: cin, outChannels: cout, cgi, cgo, tilesIn, tilesOut, tiles } = layer;
  const kept = new Float64Array(k * k);
  for (let to = 0; to < tilesOut; to++) {
    for (let ti = 0; ti < tilesIn; ti++) {
      const kernels = Math.min(cgi, cin - ti * cgi) * Math.min(cgo, cout - to * cgo);
      const shape = tiles[to * tilesIn + ti];
      for (let t = 0; t < k * k; t++) if (shape[t] === "1") kept[t] += kernels;
    }
  }
  return kept.map((v) => v / (cin * cout));
}
