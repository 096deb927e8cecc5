/**
 * Kernel-shape and grouped point-wise results: each method's model (LHC at several target
 * densities, SSC, IGPC at several Ch) and the dense reference net trained the same way (the method's
 * recipe in loaders/recipes.ts METHOD_RECIPES: same optimizer, learning rate, schedule, images and total
 * epochs) on one dataset; test accuracy, parameters and FLOPs of each versus the dense net.
 *
 *   npx tsx loaders/studies/method-results.ts [--methods lhc-0.5,lhc-0.3,ssc,igpc-ch8] [--seed 0]
 *     [--limit-train 0] [--limit-test 0] [--epochs N] [--mask-epochs N] [--lr X] [--dataset mnist]
 *   (--epochs / --mask-epochs / --lr override every recipe's; absent = the recipes' own)
 *
 * Table and progress on stderr, JSON on stdout; results in docs/experiments.md.
 */
import { initBackend } from "../backend.js";
import { loadDataset } from "../datasets.js";
import { progressHooks } from "../train-job.js";
import { methodRecipe } from "../recipes.js";
import { methodNetSettings, parseMethodNet, trainMethodNet, type MethodNetTask } from "../method-nets.js";
import type { Dataset } from "../../src/lib/data/dataset.js";
import type { InputShape, Model } from "../../src/lib/model.js";
import { createModel } from "../../src/lib/models/registry.js";
import { ReferenceInn } from "../../src/lib/models/reference-inn.js";
import { modelCost, type ModelCost } from "../../src/lib/integral/accounting.js";
import { evaluateSums, summarizeEvaluation } from "../../src/lib/train/evaluate.js";
import { trainInProcess } from "../../src/lib/train/local.js";
import { resolveSettings, type TrainSettings } from "../../src/lib/train/settings.js";

const log = (line: string) => process.stderr.write(line + "\n");
const DEFAULT_METHODS = "lhc-0.5,lhc-0.3,lhc-0.15,ssc,igpc-ch8,igpc-ch4,igpc-ch2";

interface Options {
  methods: MethodNetTask[];
  seed: number;
  limitTrain: number;
  limitTest: number;
  epochs?: number;
  maskEpochs?: number;
  learningRate?: number;
  dataset: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    methods: DEFAULT_METHODS.split(",").map(parseMethodNet),
    seed: 0,
    limitTrain: 0,
    limitTest: 0,
    dataset: "mnist",
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, raw] = [argv[i], argv[i + 1]];
    if (raw === undefined) throw new Error(`method-results: ${key} needs a value`);
    const int = () => {
      const v = Number(raw);
      if (!Number.isInteger(v) || v < 0)
        throw new Error(`method-results: ${key} needs a non-negative integer, got "${raw}"`);
      return v;
    };
    switch (key) {
      case "--methods":
        o.methods = raw.split(",").map((s) => parseMethodNet(s.trim()));
        break;
      case "--seed":
        o.seed = int();
        break;
      case "--limit-train":
        o.limitTrain = int();
        break;
      case "--limit-test":
        o.limitTest = int();
        break;
      case "--epochs":
        o.epochs = int();
        break;
      case "--mask-epochs":
        o.maskEpochs = int();
        break;
      case "--dataset":
        o.dataset = raw;
        break;
      case "--lr": {
        const v = Number(raw);
        if (!(v > 0)) throw new Error(`method-results: --lr needs a positive number, got "${raw}"`);
        o.learningRate = v;
        break;
      }
      default:
        throw new Error(
          `method-results: unknown option "${key}" (known: --methods, --seed, --limit-train, --limit-test, --epochs, --mask-epochs, --lr, --dataset)`,
        );
    }
  }
  return o;
}

function accuracy(model: Model, dataset: Dataset, limitTest: number): number {
  const end = limitTest > 0 ? Math.min(limitTest, dataset.test.count) : dataset.test.count;
  return summarizeEvaluation([evaluateSums(model, dataset.test, dataset, { start: 0, end })]).accuracy;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const backend = await initBackend("wasm");
  const dataset = loadDataset(o.dataset);
  const input: InputShape = {
    height: dataset.height,
    width: dataset.width,
    channels: dataset.channels,
    classes: dataset.classes,
  };
  const skeleton = new ReferenceInn(input);
  const denseCost: ModelCost = modelCost(skeleton);
  skeleton.dispose();
  const overrides = {
    limitTrain: o.limitTrain,
    ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
    ...(o.maskEpochs !== undefined ? { maskEpochs: o.maskEpochs } : {}),
    ...(o.learningRate !== undefined ? { learningRate: o.learningRate } : {}),
  };
  const train = async (model: Model, settings: TrainSettings, what: string) => {
    log(
      `training ${what}: ${settings.epochs} epoch(s), ${settings.optimizer} lr ${settings.learningRate}, ${settings.limitTrain || dataset.train.count} images`,
    );
    const hooks = progressHooks((line) => log(`  ${what}: ${line}`), 15);
    return trainInProcess(model, dataset, { ...settings, limitTest: 500 }, hooks);
  };

  // The dense reference once per distinct training (settings and total epochs).
  const denseRuns = new Map<
    string,
    { settings: TrainSettings; spec: Record<string, unknown>; accuracy: number; seconds: number }
  >();
  const dense = async (task: MethodNetTask) => {
    const r = methodRecipe(task.kind);
    const { settings, maskEpochs } = methodNetSettings(task.kind, { seed: o.seed, ...overrides });
    const total = resolveSettings({ ...settings, epochs: settings.epochs + (task.kind === "lhc" ? maskEpochs : 0) });
    const key = JSON.stringify([r.dense, total]);
    const known = denseRuns.get(key);
    if (known) return known;
    const t0 = performance.now();
    const net = createModel(r.dense, input, o.seed);
    try {
      await train(net, total, `dense ${r.dense.name} (as ${task.kind})`);
      const run = {
        settings: total,
        spec: r.dense,
        accuracy: accuracy(net, dataset, o.limitTest),
        seconds: (performance.now() - t0) / 1000,
      };
      denseRuns.set(key, run);
      return run;
    } finally {
      net.dispose();
    }
  };

  const rows = [];
  for (const task of o.methods) {
    const t0 = performance.now();
    const trained = await trainMethodNet(task, input, o.seed, overrides, train);
    let acc: number;
    try {
      acc = accuracy(trained.net, dataset, o.limitTest);
    } finally {
      trained.net.dispose();
    }
    const seconds = (performance.now() - t0) / 1000;
    const d = await dense(task);
    const row = {
      method: trained.method,
      spec: trained.spec,
      training: trained.training,
      accuracy: acc,
      params: trained.cost.params,
      flops: trained.cost.flops,
      paramsRatio: trained.cost.params / denseCost.params,
      flopsRatio: trained.cost.flops / denseCost.flops,
      ...(trained.weightDensity !== undefined
        ? { weightDensity: trained.weightDensity, flopDensity: trained.lhcMasks!.flopDensity }
        : {}),
      dense: { model: d.spec, accuracy: d.accuracy, settings: d.settings, seconds: d.seconds },
      seconds,
    };
    log(
      `${row.method}: ${(100 * acc).toFixed(2)}% (dense trained the same way: ${(100 * d.accuracy).toFixed(2)}%), params ${row.params} (${(100 * row.paramsRatio).toFixed(1)}% of dense), FLOPs ${row.flops} (${(100 * row.flopsRatio).toFixed(1)}%)`,
    );
    rows.push(row);
  }

  const pct = (v: number) => (100 * v).toFixed(2);
  const testCount = o.limitTest > 0 ? Math.min(o.limitTest, dataset.test.count) : dataset.test.count;
  log("");
  log(
    `${o.dataset}, seed ${o.seed}, ${o.limitTrain || dataset.train.count} training images, ${testCount} test images; dense reference: ${denseCost.params} params, ${denseCost.flops} FLOPs`,
  );
  log(
    "| method | accuracy | dense, same training | params (vs dense) | FLOPs (vs dense) | weight density | training |",
  );
  log("|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const s = (r.training.fineTune ?? r.training.settings) as TrainSettings;
    const mask = r.training.maskStage as TrainSettings | undefined;
    const how = `${s.optimizer} ${s.learningRate}, ${mask ? `${mask.epochs} mask + ` : ""}${s.epochs} ep`;
    log(
      `| ${r.method} | ${pct(r.accuracy)} | ${pct(r.dense.accuracy)} | ${r.params} (${pct(r.paramsRatio)}%) | ${r.flops} (${pct(r.flopsRatio)}%) | ${r.weightDensity !== undefined ? r.weightDensity.toFixed(3) : "—"} | ${how} |`,
    );
  }
  const totalSeconds = (performance.now() - started) / 1000;
  log(`total ${totalSeconds.toFixed(0)} s (${backend})`);
  process.stdout.write(
    JSON.stringify(
      { dataset: o.dataset, seed: o.seed, limitTrain: o.limitTrain, testCount, dense: denseCost, rows, totalSeconds },
      null,
      1,
    ) + "\n",
  );
}

main().catch((e: Error) => {
  log(`method-results: ${e.message}`);
  process.exit(1);
});
