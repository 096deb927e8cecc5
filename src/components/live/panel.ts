/**
 * What the live app asks of a panel, whatever model it shows (the reference net with its L1 twin, a
 * plan network, with its L1 twin when it is a converted model): its controls, its result cards,
 * its details, the nets it evaluates and their digit predictions, its link state, an export, and a test
 * API. The app owns the source choice, the URL's `model` field, the chart, the digit pad and the file
 * picker; a panel owns everything that depends on its model, and frees it all in `dispose`.
 */
import type { StateSchema } from "../url-state.js";
import type { ProgressRecord } from "../../lib/live/progress-log.js";
import type { AccuracyEstimate } from "../../lib/live/accuracy-estimate.js";

/** A tfjs layers model as its two files (tfjsModelFiles). */
export interface TfjsModelFiles {
  modelJson: string;
  weightsBin: ArrayBuffer;
}

/** One net a panel evaluates (e.g. the resampled integral net, its L1-pruned twin). */
export interface LiveNet {
  /** Its tag in the progress log and in test ids ("inn", "l1", "plan"). */
  tag: string;
  /** Who it is, for headings ("Integral net, resampled"). */
  label: string;
  /** Its method id in the curves file and components/style/methods.ts ("inn-scratch", "discrete-l1"). */
  method: string;
}

/** A net's class probabilities for one image. */
export interface DigitPrediction {
  tag: string;
  probabilities: Float32Array;
}

/** What tests and the benchmark drive: the same calls a reader's clicks make. */
export interface LivePanelApi {
  setSizes(sizes: Record<string, number>): void;
  setGlobal(fraction: number): void;
  idle(): Promise<void>;
  log: ProgressRecord[];
  groups: { id: string; full: number; range: { min: number; max: number } }[];
}

export interface LivePanel {
  /** Sliders and selects (the screen's left column). */
  readonly controls: HTMLElement;
  /** Result cards: accuracy per net, parameters and FLOPs (the screen's right column, top). */
  readonly element: HTMLElement;
  /** Below the screen: confusion matrix, weights, export and link. */
  readonly details: HTMLElement;
  /** The curves file's family whose sweep lines the chart draws beside this model (none: no lines). */
  readonly family?: string;
  readonly api: LivePanelApi;
  readonly nets: readonly LiveNet[];
  /** The panel's link parameters (never "model", which is the app's). */
  readonly schema: StateSchema;
  /** The current values of `schema`. */
  state(): Record<string, unknown>;
  /** A sentence for the page's status line ("comparing with …"). */
  readonly summary: string;
  /** Class probabilities of a 28×28 image in [0, 1] by each net at the prepared sizes ([] before the first). */
  classify(image: Float32Array): DigitPrediction[];
  /** The resampled model at the prepared sizes as tfjs layers-model files. */
  exportFiles(): TfjsModelFiles;
  /** Stop the panel's running work, then free every tensor it holds. */
  dispose(): Promise<void>;
}

/** Callbacks a panel gets from the app. */
export interface PanelHost {
  /** Called with the panel's `state()` on every change, the first included (the app writes the URL). */
  onChange(state: Record<string, unknown>): void;
  /** The share link's href for that state. */
  link(state: Record<string, unknown>): string;
  /**
   * Called after every prepared configuration with its parameter count and its compression against the
   * model's own full size (the app moves the chart's dots and reclassifies the digit).
   */
  onPrepared(size: { params: number; compression: number }): void;
  /** Called with every new accuracy estimate of net `tag` (the app moves its dot on the chart). */
  onEstimate(tag: string, estimate: AccuracyEstimate): void;
}
