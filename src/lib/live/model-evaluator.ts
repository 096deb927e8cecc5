/**
 * Live evaluation of any model by its forward pass (for the plan networks of src/lib/sinn, which have no
 * receptive-field shortcut): the shared chunk order and loop (chunked-evaluation.ts), each chunk's
 * images kept as a tensor, predictions = argmax of the target's logits.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { EvalSet } from "../data/evalset.js";
import {
  evaluateChunks,
  orderedChunks,
  readPredictions,
  type ChunkOptions,
  type EvaluateOptions,
  type ImageChunk,
} from "./chunked-evaluation.js";

export interface LogitsTarget {
  tag: string;
  /** Logits [batch, classes] of images [batch, h, w, c] in [0, 1] (inside a tidy: may allocate freely). */
  logits(images: tf.Tensor4D): tf.Tensor2D;
}

export class ModelEvaluator {
  readonly count: number;
  readonly classes: number;
  readonly chunkSizes: number[];
  private readonly chunks: ImageChunk[];

  constructor(set: EvalSet, options: ChunkOptions = {}) {
    this.count = set.count;
    this.classes = set.classes;
    this.chunks = orderedChunks(set, options, "ModelEvaluator");
    this.chunkSizes = this.chunks.map((c) => c.labels.length);
  }

  async evaluate(targets: readonly LogitsTarget[], options: EvaluateOptions = {}): Promise<boolean> {
    return evaluateChunks(
      targets,
      this.chunks,
      this.classes,
      (t, c) => readPredictions(tf.tidy(() => tf.argMax(t.logits(this.chunks[c].input), 1))),
      options,
    );
  }

  dispose(): void {
    for (const c of this.chunks) c.input.dispose();
    this.chunks.length = 0;
  }
}
