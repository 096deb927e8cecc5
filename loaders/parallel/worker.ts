/**
 * A data-parallel training worker: its own tfjs + wasm engine, its own copy of the model (built from
 * the same spec and seed, so identical to every other worker's) and of the dataset. It computes
 * gradients on its shard and applies the averaged gradient it is given, so weights stay in lockstep.
 */
import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs"; // registers the gradients (tfjs-core's Node bundle has none)
import { activeEngineRecord, initBackend } from "../backend.js";
import { loadDataset } from "../datasets.js";
import { batchImages, batchLabels } from "../../src/lib/data/dataset.js";
import { createModel } from "../../src/lib/models/registry.js";
import { assignFlatWeights, computeGradients, flattenAndDispose, unflatten } from "../../src/lib/train/gradients.js";
import { evaluateSums } from "../../src/lib/train/evaluate.js";
import { limitedSplits } from "../../src/lib/train/local.js";
import { createOptimizer } from "../../src/lib/train/optimizers.js";
import { stepRandom } from "../../src/lib/train/seeds.js";
import { parameterNamesOf } from "../../src/lib/io/weights-file.js";
import type { FromWorker, PendingUpdate, ToWorker, WorkerInit } from "./protocol.js";

function requireParentPort() {
  if (!parentPort) throw new Error("loaders/parallel/worker.ts must run as a worker thread");
  return parentPort;
}
const port = requireParentPort();
const send = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

async function main(init: WorkerInit): Promise<void> {
  const backend = await initBackend(init.backend, { engine: init.engine, threads: init.threads });
  const dataset = loadDataset(init.dataset, init.datasetOptions);
  const { train, test } = limitedSplits(dataset, init.settings);
  const input = { height: dataset.height, width: dataset.width, channels: dataset.channels, classes: dataset.classes };
  for (const url of init.preload ?? []) await import(url);
  const model = createModel(init.model, input, init.settings.seed);
  const variables = model.trainableVariables;
  if (init.initialWeights) assignFlatWeights(variables, init.initialWeights);
  const optimizer = createOptimizer(init.settings.optimizer, variables, {
    momentum: init.settings.momentum,
    clipNorm: init.settings.clipNorm,
  });
  const total = variables.reduce((n, v) => n + v.size, 0);
  const gradients = new Float32Array(new SharedArrayBuffer(total * 4));
  let averaged: Float32Array | undefined;

  const applyPending = (update?: PendingUpdate) => {
    if (!update) return;
    if (!averaged) throw new Error("worker: update requested before the averaged-gradient buffer was attached");
    const grads = unflatten(averaged, variables);
    optimizer.step(grads, update.learningRate);
    tf.dispose(grads);
  };

  port.on("message", (message: ToWorker) => {
    try {
      switch (message.type) {
        case "attach":
          averaged = new Float32Array(message.averaged);
          send({ type: "attached" });
          break;
        case "step": {
          applyPending(message.apply);
          const indices = message.indices;
          if (indices.length === 0) {
            gradients.fill(0);
            send({ type: "gradients", loss: 0, count: 0 });
            break;
          }
          const images = batchImages(train, indices, dataset);
          const oneHot = batchLabels(train, indices, dataset.classes);
          const context = { training: true, random: stepRandom(init.settings.seed, message.step) };
          const result = computeGradients(model, images, oneHot, context);
          tf.dispose([images, oneHot]);
          flattenAndDispose(result.gradients, gradients);
          send({ type: "gradients", loss: result.loss, count: indices.length });
          break;
        }
        case "evaluate":
          applyPending(message.apply);
          send({
            type: "evaluation",
            sums: evaluateSums(model, test, dataset, { start: message.start, end: message.end }),
          });
          break;
        case "startEpoch":
          applyPending(message.apply);
          model.startEpoch?.(message.epoch, message.epochs);
          send({ type: "epochStarted" });
          break;
        case "weights": {
          applyPending(message.apply);
          const values = flattenAndDispose(variables.map((v) => v.clone()));
          send({ type: "weights", values }, [values.buffer as ArrayBuffer]);
          break;
        }
        case "close":
          optimizer.dispose();
          model.dispose();
          port.close();
          break;
      }
    } catch (e) {
      send({ type: "error", message: (e as Error).message, stack: (e as Error).stack });
    }
  });

  send({
    type: "ready",
    backend,
    engine: activeEngineRecord(),
    input,
    gradients: gradients.buffer as SharedArrayBuffer,
    parameterNames: parameterNamesOf(model),
    parameterShapes: variables.map((v) => v.shape.slice()),
    trainCount: train.count,
    testCount: test.count,
  });
}

main(workerData as WorkerInit).catch((e: Error) => send({ type: "error", message: e.message, stack: e.stack }));
