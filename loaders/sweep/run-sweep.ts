/**
 * Run a whole sweep: the profile's tasks on a pool of worker threads (each its own wasm engine; two
 * cores → two tasks at a time), a task starting once the task it depends on is done. Returns the curves,
 * the model files and the timings (kept apart from the curves, which must be deterministic).
 */
import { Worker } from "node:worker_threads";
import type { DatasetOptions } from "../datasets.js";
import { buildCurves, type CurvesFile } from "./curves.js";
import { planTasks, type SweepTask, type TaskResult } from "./tasks/index.js";
import type { SweepProfile } from "./profiles.js";
import type { FromSweepWorker, SweepWorkerInit, ToSweepWorker } from "./worker.js";
import { chooseEngineAndReport, engineRecord, nativeThreadsPer, type Engine, type EngineRecord } from "../engine.js";

export interface SweepOptions {
  dataset: string;
  datasetOptions?: DatasetOptions;
  profile: SweepProfile;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** Override the profile's worker count. */
  workers?: number;
  /** Compute engine (default: INTEGRAL_LAB_ENGINE, else native when it loads). */
  engine?: Engine;
}

/** Worker threads a sweep of `profile` runs on: the profile's (or `workers`), at most one per task. */
export function sweepWorkerCount(profile: SweepProfile, workers?: number): number {
  return Math.max(1, Math.min(workers ?? profile.workers, planTasks(profile).length));
}

/** The engine a sweep trains on, each of its workers with an equal share of the cores. */
export function sweepEngine(profile: SweepProfile, options: { workers?: number; engine?: Engine }): EngineRecord {
  return engineRecord(
    chooseEngineAndReport(options.engine),
    nativeThreadsPer(sweepWorkerCount(profile, options.workers)),
  );
}

export interface SweepResult {
  curves: CurvesFile;
  files: Record<string, Uint8Array>;
  timings: { totalSeconds: number; workers: number; tasks: Record<string, TaskResult["timing"]> };
}

type DatasetMeta = CurvesFile["dataset"];

class SweepWorker {
  readonly thread: Worker;
  private waiter: { resolve: (m: FromSweepWorker) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(init: SweepWorkerInit, log: (line: string) => void) {
    this.thread = new Worker(new URL("./worker-entry.mjs", import.meta.url), { workerData: init, execArgv: [] });
    this.thread.on("message", (m: FromSweepWorker) => {
      if (m.type === "log") log(m.line);
      else if (m.type === "error") this.fail(new Error(m.message));
      else {
        const w = this.waiter;
        this.waiter = undefined;
        w?.resolve(m);
      }
    });
    this.thread.on("error", (e) => this.fail(new Error(`sweep worker crashed: ${e.message}`)));
    this.thread.on("exit", (code) => this.fail(new Error(`sweep worker exited (code ${code})`)));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(this.failure);
  }

  next(): Promise<FromSweepWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  async run(task: SweepTask, inputs: Record<string, TaskResult>): Promise<TaskResult> {
    const reply = this.next();
    this.thread.postMessage({ type: "run", task, inputs } satisfies ToSweepWorker);
    const m = await reply;
    if (m.type !== "result") throw new Error(`sweep worker replied "${m.type}" to task ${task.id}`);
    return m.result;
  }

  async close(): Promise<void> {
    this.failure ??= new Error("closed");
    await this.thread.terminate();
  }
}

export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const started = performance.now();
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const { profile } = options;
  const tasks = planTasks(profile);
  const workerCount = sweepWorkerCount(profile, options.workers);
  const engine = sweepEngine(profile, options);
  log(
    `[sweep] ${options.dataset}, profile ${profile.name}: ${tasks.length} tasks on ${workerCount} worker threads, ${engine.name} engine${engine.threads ? ` (${engine.threads} oneDNN thread${engine.threads === 1 ? "" : "s"} each)` : ""}`,
  );
  const init: SweepWorkerInit = {
    dataset: options.dataset,
    datasetOptions: options.datasetOptions ?? {},
    profile,
    engine,
  };
  const workers = Array.from({ length: workerCount }, () => new SweepWorker(init, (line) => log(`[sweep] ${line}`)));
  try {
    const readies = await Promise.all(workers.map((w) => w.next()));
    const meta = (readies[0] as Extract<FromSweepWorker, { type: "ready" }>).dataset;
    const done = new Map<string, TaskResult>();
    const pending = [...tasks];
    const dependency = (t: SweepTask) => ("after" in t ? t.after : undefined);
    const ready = () =>
      pending.findIndex((t) => {
        const d = dependency(t);
        return d === undefined || done.has(d);
      });
    let finished = 0;
    // Each worker loop takes the first task whose dependency is done; when none is ready it waits for any finish.
    let wake: (() => void) | undefined;
    let wakeUp = new Promise<void>((r) => {
      wake = r;
    });
    const workerLoop = async (w: SweepWorker) => {
      while (pending.length > 0) {
        const i = ready();
        if (i < 0) {
          await wakeUp;
          continue;
        }
        const [task] = pending.splice(i, 1);
        const dep = dependency(task);
        const t0 = performance.now();
        log(`[sweep] start ${task.id} (${tasks.length - pending.length}/${tasks.length})`);
        const result = await w.run(task, dep ? { [dep]: done.get(dep)! } : {});
        done.set(task.id, result);
        finished++;
        log(
          `[sweep] done ${task.id} in ${((performance.now() - t0) / 1000).toFixed(0)} s; ${finished}/${tasks.length} tasks, ${((performance.now() - started) / 1000).toFixed(0)} s elapsed`,
        );
        const w0 = wake;
        wakeUp = new Promise<void>((r) => {
          wake = r;
        });
        w0?.();
      }
    };
    await Promise.all(workers.map(workerLoop));
    const results = tasks.map((t) => done.get(t.id)!);
    const files: Record<string, Uint8Array> = {};
    for (const r of results) Object.assign(files, r.files);
    const curves = buildCurves(results, profile, meta, engine);
    const totalSeconds = (performance.now() - started) / 1000;
    log(`[sweep] finished in ${totalSeconds.toFixed(0)} s`);
    return {
      curves,
      files,
      timings: { totalSeconds, workers: workerCount, tasks: Object.fromEntries(results.map((r) => [r.id, r.timing])) },
    };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

export type { DatasetMeta };
