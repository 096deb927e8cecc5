/**
 * Train a model from the command line. Progress goes to stderr, the result JSON to stdout.
 *
 *   npx tsx loaders/train.ts --model reference --dataset mnist --epochs 3 --seed 0 --out weights.json
 */
import { pathToFileURL } from "node:url";
import { modelNames } from "../src/lib/models/registry.js";
import { DEFAULT_SETTINGS, type TrainSettings } from "../src/lib/train/settings.js";
import { parseDecimal } from "../src/lib/io/decimal.js";
import { defaultWorkerCount, runTrainJob, type TrainJobOptions } from "./train-job.js";
import { ENGINES } from "./engine.js";

export const USAGE = `Usage: npx tsx loaders/train.ts --model <name> [options]

Trains a model and prints the result as JSON on stdout (progress on stderr).

  --model <name>        model to train (${modelNames().join(", ")})
  --dataset <name>      dataset: mnist or a folder under data/ (default mnist)
  --data-dir <dir>      folder holding user datasets (default data/)
  --classes <n>         the dataset's class count; labels at or above it are refused (default: data/<name>/dataset.json,
                        else the largest label + 1)
  --epochs <n>          epochs (default ${DEFAULT_SETTINGS.epochs})
  --seed <n>            seed for initialisation and batch order (default ${DEFAULT_SETTINGS.seed})
  --batch <n>           batch size (default ${DEFAULT_SETTINGS.batchSize})
  --optimizer <name>    adam | sgd (default ${DEFAULT_SETTINGS.optimizer})
  --lr <x>              initial learning rate (default ${DEFAULT_SETTINGS.learningRate})
  --momentum <x>        SGD momentum (default ${DEFAULT_SETTINGS.momentum})
  --clip-norm <x>       scale a gradient down to this global L2 norm when larger (default ${DEFAULT_SETTINGS.clipNorm}: never)
  --lr-gamma <x>        multiply the learning rate by this … (default ${DEFAULT_SETTINGS.lrGamma})
  --lr-step <n>         … every n epochs (default ${DEFAULT_SETTINGS.lrStepEpochs})
  --limit-train <n>     train on the first n training images only (0 = all)
  --limit-test <n>      evaluate on the first n test images only (0 = all)
  --workers <n>         data-parallel worker threads (default ${defaultWorkerCount()} here; 1 = this thread)
  --backend <name>      wasm | cpu (default wasm)
  --engine <name>       native | wasm: the wasm backend's kernels (default: $INTEGRAL_LAB_ENGINE, else native
                        when the oneDNN addon is built, else wasm with a notice)
  --threads <n>         oneDNN threads per worker on the native engine (default: cores / workers)
  --out <file>          write the trained weights here (JSON, written atomically)
  --quiet               no progress on stderr
  --help                show this help
`;

/** A command-line mistake: reported with the usage hint and exit code 2. */
export class UsageError extends Error {}

type Flag = {
  kind: "int" | "number" | "string" | "bool";
  apply: (o: TrainJobOptions, s: Partial<TrainSettings>, v: string | number | boolean) => void;
};

const FLAGS: Record<string, Flag> = {
  "--model": {
    kind: "string",
    apply: (o, _s, v) => {
      o.model = { name: v as string };
    },
  },
  "--dataset": {
    kind: "string",
    apply: (o, _s, v) => {
      o.dataset = v as string;
    },
  },
  "--data-dir": {
    kind: "string",
    apply: (o, _s, v) => {
      o.datasetOptions = { ...o.datasetOptions, dataDir: v as string };
    },
  },
  "--classes": {
    kind: "int",
    apply: (o, _s, v) => {
      o.datasetOptions = { ...o.datasetOptions, classes: v as number };
    },
  },
  "--epochs": {
    kind: "int",
    apply: (_o, s, v) => {
      s.epochs = v as number;
    },
  },
  "--seed": {
    kind: "int",
    apply: (_o, s, v) => {
      s.seed = v as number;
    },
  },
  "--batch": {
    kind: "int",
    apply: (_o, s, v) => {
      s.batchSize = v as number;
    },
  },
  "--optimizer": {
    kind: "string",
    apply: (_o, s, v) => {
      s.optimizer = v as TrainSettings["optimizer"];
    },
  },
  "--lr": {
    kind: "number",
    apply: (_o, s, v) => {
      s.learningRate = v as number;
    },
  },
  "--momentum": {
    kind: "number",
    apply: (_o, s, v) => {
      s.momentum = v as number;
    },
  },
  "--clip-norm": {
    kind: "number",
    apply: (_o, s, v) => {
      s.clipNorm = v as number;
    },
  },
  "--lr-gamma": {
    kind: "number",
    apply: (_o, s, v) => {
      s.lrGamma = v as number;
    },
  },
  "--lr-step": {
    kind: "int",
    apply: (_o, s, v) => {
      s.lrStepEpochs = v as number;
    },
  },
  "--limit-train": {
    kind: "int",
    apply: (_o, s, v) => {
      s.limitTrain = v as number;
    },
  },
  "--limit-test": {
    kind: "int",
    apply: (_o, s, v) => {
      s.limitTest = v as number;
    },
  },
  "--workers": {
    kind: "int",
    apply: (o, _s, v) => {
      o.workers = v as number;
    },
  },
  "--backend": {
    kind: "string",
    apply: (o, _s, v) => {
      o.backend = v as TrainJobOptions["backend"];
    },
  },
  "--engine": {
    kind: "string",
    apply: (o, _s, v) => {
      o.engine = v as TrainJobOptions["engine"];
    },
  },
  "--threads": {
    kind: "int",
    apply: (o, _s, v) => {
      o.threads = v as number;
    },
  },
  "--out": {
    kind: "string",
    apply: (o, _s, v) => {
      o.out = v as string;
    },
  },
  "--quiet": {
    kind: "bool",
    apply: (o) => {
      o.log = null;
    },
  },
};

/** Parse arguments into job options; null means --help was asked for. */
export function parseTrainArgs(argv: string[]): TrainJobOptions | null {
  const options: TrainJobOptions = { model: { name: "" }, dataset: "mnist" };
  const settings: Partial<TrainSettings> = {};
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].includes("=")
      ? [argv[i].slice(0, argv[i].indexOf("=")), argv[i].slice(argv[i].indexOf("=") + 1)]
      : [argv[i], undefined];
    if (name === "--help" || name === "-h") return null;
    const flag = FLAGS[name];
    if (!flag) throw new UsageError(`unknown option "${argv[i]}"`);
    if (flag.kind === "bool") {
      flag.apply(options, settings, true);
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined || (inline === undefined && raw.startsWith("--")))
      throw new UsageError(`${name} needs a value`);
    let value: string | number = raw;
    if (flag.kind !== "string") {
      const x = parseDecimal(raw);
      if (x === undefined) throw new UsageError(`${name}: "${raw}" is not a decimal number`);
      if (flag.kind === "int" && !Number.isInteger(x)) throw new UsageError(`${name}: "${raw}" is not an integer`);
      value = x;
    }
    flag.apply(options, settings, value);
  }
  if (!options.model.name) throw new UsageError("--model is required");
  if (!modelNames().includes(options.model.name))
    throw new UsageError(`--model: unknown model "${options.model.name}" (known: ${modelNames().join(", ")})`);
  if (options.backend !== undefined && options.backend !== "wasm" && options.backend !== "cpu")
    throw new UsageError(`--backend: "${options.backend}" is not wasm or cpu`);
  if (options.engine !== undefined && !(ENGINES as readonly string[]).includes(options.engine))
    throw new UsageError(`--engine: "${options.engine}" is not native or wasm`);
  if (options.threads !== undefined && options.threads < 1)
    throw new UsageError(`--threads: must be at least 1, got ${options.threads}`);
  if (options.workers !== undefined && options.workers < 1)
    throw new UsageError(`--workers: must be at least 1, got ${options.workers}`);
  options.settings = settings;
  return options;
}

async function main(argv: string[]): Promise<number> {
  let options: TrainJobOptions | null;
  try {
    options = parseTrainArgs(argv);
    if (options) {
      // Validate settings before any engine starts, so a bad value is a usage error.
      const { resolveSettings } = await import("../src/lib/train/settings.js");
      resolveSettings(options.settings);
    }
  } catch (e) {
    process.stderr.write(`train: ${(e as Error).message}\nRun with --help for usage.\n`);
    return 2;
  }
  if (!options) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    const result = await runTrainJob(options);
    process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    return 0;
  } catch (e) {
    process.stderr.write(`train: ${(e as Error).message}\n`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.exitCode = await main(process.argv.slice(2));
}
