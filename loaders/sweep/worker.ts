/**
 * A sweep worker thread: its own tfjs + wasm engine and copy of the dataset; runs the tasks it is sent,
 * one at a time, and replies with each task's result (or its error). Progress lines go to the parent.
 */
import { parentPort, workerData } from "node:worker_threads";
import "@tensorflow/tfjs"; // registers the gradients
import { initBackend } from "../backend.js";
import { loadDataset, type DatasetOptions } from "../datasets.js";
import { runTask, type SweepTask, type TaskResult } from "./tasks/index.js";
import type { SweepProfile } from "./profiles.js";
import type { EngineRecord } from "../engine.js";

export interface SweepWorkerInit {
  dataset: string;
  datasetOptions: DatasetOptions;
  profile: SweepProfile;
  /** The engine every task trains on (chosen by the main thread), recorded in the model files. */
  engine: EngineRecord;
}

export type ToSweepWorker = { type: "run"; task: SweepTask; inputs: Record<string, TaskResult> } | { type: "close" };
export type FromSweepWorker =
  | {
      type: "ready";
      dataset: {
        name: string;
        height: number;
        width: number;
        channels: number;
        classes: number;
        trainCount: number;
        testCount: number;
      };
    }
  | { type: "log"; line: string }
  | { type: "result"; result: TaskResult }
  | { type: "error"; message: string; stack?: string };

const port = parentPort;
if (!port) throw new Error("loaders/sweep/worker.ts must run as a worker thread");
const send = (m: FromSweepWorker) => port.postMessage(m);

async function main(init: SweepWorkerInit): Promise<void> {
  await initBackend("wasm", { engine: init.engine.name, threads: init.engine.threads });
  const dataset = loadDataset(init.dataset, init.datasetOptions);
  port!.on("message", (message: ToSweepWorker) => {
    if (message.type === "close") {
      port!.close();
      return;
    }
    const log = (line: string) => send({ type: "log", line: `[${message.task.id}] ${line}` });
    runTask(message.task, { dataset, profile: init.profile, inputs: message.inputs, log, engine: init.engine })
      .then((result) => send({ type: "result", result }))
      .catch((e: Error) => send({ type: "error", message: `task ${message.task.id}: ${e.message}`, stack: e.stack }));
  });
  const testCount =
    init.profile.limitTest > 0 ? Math.min(init.profile.limitTest, dataset.test.count) : dataset.test.count;
  send({
    type: "ready",
    dataset: {
      name: init.dataset,
      height: dataset.height,
      width: dataset.width,
      channels: dataset.channels,
      classes: dataset.classes,
      trainCount: dataset.train.count,
      testCount,
    },
  });
}

main(workerData as SweepWorkerInit).catch((e: Error) => send({ type: "error", message: e.message, stack: e.stack }));
