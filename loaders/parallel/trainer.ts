/**
 * Data-parallel training across worker_threads: each step the batch is split into one shard per worker,
 * each worker returns the gradient of its shard's mean loss, the main thread averages them weighted by
 * shard size (= the gradient of the whole batch's mean loss) and every worker applies the same update.
 * Deterministic for a given worker count (summation order is fixed).
 */
import { Worker } from "node:worker_threads";
import type { Trainer } from "../../src/lib/train/loop.js";
import { summarizeEvaluation, type Evaluation } from "../../src/lib/train/evaluate.js";
import { shardBatch } from "../../src/lib/train/seeds.js";
import type { FromWorker, PendingUpdate, ToWorker, WorkerInit } from "./protocol.js";

/** What every worker is started with (see WorkerInit), plus how many workers. */
export interface ParallelOptions extends Omit<WorkerInit, "workerIndex"> {
  workers: number;
}

type Ready = Extract<FromWorker, { type: "ready" }>;

/** One worker thread with a FIFO of outstanding requests (each request gets exactly one reply). */
class WorkerHandle {
  private readonly waiting: { resolve: (m: FromWorker) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;
  pending: PendingUpdate | undefined;

  constructor(
    readonly thread: Worker,
    readonly index: number,
  ) {
    thread.on("message", (message: FromWorker) => {
      if (message.type === "error") {
        this.fail(new Error(`training worker ${index}: ${message.message}`));
        return;
      }
      this.waiting.shift()?.resolve(message);
    });
    thread.on("error", (e) => this.fail(new Error(`training worker ${index} crashed: ${e.message}`)));
    thread.on("exit", (code) => this.fail(new Error(`training worker ${index} exited (code ${code})`)));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
  }

  /** Resolves to the next message the worker sends (the "ready" message, or a reply). */
  next(): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  request(message: ToWorker): Promise<FromWorker> {
    const reply = this.next();
    this.thread.postMessage(message);
    return reply;
  }

  /** Take the update this worker has not applied yet (attached to the next message). */
  takePending(): PendingUpdate | undefined {
    const p = this.pending;
    this.pending = undefined;
    return p;
  }
}

function expect<T extends FromWorker["type"]>(message: FromWorker, type: T): Extract<FromWorker, { type: T }> {
  if (message.type !== type) throw new Error(`training worker replied "${message.type}", expected "${type}"`);
  return message as Extract<FromWorker, { type: T }>;
}

/** The worker script: a JS bootstrap that loads worker.ts through tsx when running from sources. */
function workerScript(): URL {
  return new URL(import.meta.url.endsWith(".ts") ? "./worker-entry.mjs" : "./worker.js", import.meta.url);
}

export class ParallelTrainer implements Trainer {
  readonly trainCount: number;
  readonly testCount: number;
  readonly backend: string;
  /** The engine every worker trains on (null on the cpu backend). */
  readonly engine: Ready["engine"];
  readonly parameterNames: string[];
  readonly parameterShapes: number[][];
  readonly input: Ready["input"];
  private readonly shardGradients: Float32Array[];
  private readonly averaged: Float32Array;
  private closed = false;

  private constructor(
    private readonly workers: WorkerHandle[],
    readies: Ready[],
  ) {
    const first = readies[0];
    this.trainCount = first.trainCount;
    this.testCount = first.testCount;
    this.backend = first.backend;
    this.engine = first.engine;
    this.parameterNames = first.parameterNames;
    this.parameterShapes = first.parameterShapes;
    this.input = first.input;
    this.shardGradients = readies.map((r) => new Float32Array(r.gradients));
    const size = this.shardGradients[0].length;
    if (readies.some((r) => r.trainCount !== first.trainCount || r.gradients.byteLength !== size * 4)) {
      throw new Error("training workers disagree on the dataset or the model size");
    }
    this.averaged = new Float32Array(new SharedArrayBuffer(size * 4));
  }

  static async start(options: ParallelOptions): Promise<ParallelTrainer> {
    if (!Number.isInteger(options.workers) || options.workers < 1)
      throw new Error(`workers must be a positive integer, got ${options.workers}`);
    const workerUrl = workerScript();
    const handles = Array.from({ length: options.workers }, (_, workerIndex) => {
      const init: WorkerInit = {
        workerIndex,
        backend: options.backend,
        engine: options.engine,
        threads: options.threads,
        model: options.model,
        dataset: options.dataset,
        datasetOptions: options.datasetOptions,
        settings: options.settings,
        preload: options.preload,
        initialWeights: options.initialWeights,
      };
      return new WorkerHandle(new Worker(workerUrl, { workerData: init, execArgv: [] }), workerIndex);
    });
    try {
      const readies = (await Promise.all(handles.map((h) => h.next()))).map((m) => expect(m, "ready"));
      const trainer = new ParallelTrainer(handles, readies);
      await Promise.all(
        handles.map((h) => h.request({ type: "attach", averaged: trainer.averaged.buffer as SharedArrayBuffer })),
      );
      return trainer;
    } catch (e) {
      await Promise.all(handles.map((h) => h.thread.terminate()));
      throw e;
    }
  }

  get workerCount(): number {
    return this.workers.length;
  }

  async step(indices: Int32Array, learningRate: number, step: number): Promise<number> {
    const shards = shardBatch(indices, this.workers.length);
    const replies = await Promise.all(
      this.workers.map((w, i) => w.request({ type: "step", apply: w.takePending(), indices: shards[i].slice(), step })),
    );
    const results = replies.map((m) => expect(m, "gradients"));
    const total = indices.length;
    const avg = this.averaged;
    avg.fill(0);
    let loss = 0;
    results.forEach((r, i) => {
      if (r.count === 0) return;
      const weight = r.count / total;
      const g = this.shardGradients[i];
      for (let j = 0; j < avg.length; j++) avg[j] += weight * g[j];
      loss += weight * r.loss;
    });
    for (const w of this.workers) w.pending = { learningRate };
    return loss;
  }

  async evaluate(): Promise<Evaluation> {
    const parts = shardBatch(
      new Int32Array(this.testCount).map((_, i) => i),
      this.workers.length,
    );
    let start = 0;
    const replies = await Promise.all(
      this.workers.map((w, i) => {
        const end = start + parts[i].length;
        const request = w.request({ type: "evaluate", apply: w.takePending(), start, end });
        start = end;
        return request;
      }),
    );
    return summarizeEvaluation(replies.map((m) => expect(m, "evaluation").sums));
  }

  /** Every worker calls its model's optional startEpoch hook (all replicas stay identical). */
  async startEpoch(epoch: number, epochs: number): Promise<void> {
    const replies = await Promise.all(
      this.workers.map((w) => w.request({ type: "startEpoch", apply: w.takePending(), epoch, epochs })),
    );
    replies.forEach((m) => expect(m, "epochStarted"));
  }

  /** The current weights, flat in variable order (from worker 0; all workers hold the same). */
  async weights(): Promise<Float32Array> {
    const replies = await Promise.all(this.workers.map((w) => w.request({ type: "weights", apply: w.takePending() })));
    return expect(replies[0], "weights").values;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.thread.once("exit", () => resolve());
            w.thread.postMessage({ type: "close" } satisfies ToWorker);
            setTimeout(() => void w.thread.terminate(), 5000).unref();
          }),
      ),
    );
  }
}
