/**
 * The compute engine that trains in Node: "native" (oneDNN kernels from the optional addon in native/, on
 * the wasm backend's heap) or "wasm" (tfjs-backend-wasm with the project's composite kernels). The default
 * is native when the addon loads; `--engine` (CLI) or INTEGRAL_LAB_ENGINE (loaders, sweeps) choose one.
 */
import { availableParallelism } from "node:os";
import { loadNativeAddon } from "./native/addon.js";

export const ENGINES = ["native", "wasm"] as const;
export type Engine = (typeof ENGINES)[number];

export const ENGINE_ENV = "INTEGRAL_LAB_ENGINE";

/** How to get the native engine, for messages. */
export const NATIVE_HINT = "apt-get install -y libdnnl-dev, then npm rebuild integral-lab-native";

export function parseEngine(value: string, source: string): Engine {
  if ((ENGINES as readonly string[]).includes(value)) return value as Engine;
  throw new Error(`${source}: "${value}" is not an engine (native or wasm)`);
}

/** The engine INTEGRAL_LAB_ENGINE asks for, if set. */
export function engineFromEnv(): Engine | undefined {
  const value = process.env[ENGINE_ENV];
  return value ? parseEngine(value, ENGINE_ENV) : undefined;
}

export interface EngineChoice {
  engine: Engine;
  /** Set when the native engine was wanted by default but is unavailable: one line for stderr. */
  notice?: string;
}

/**
 * The engine to train on: `requested`, else INTEGRAL_LAB_ENGINE, else native when the addon loads. Asking
 * for native explicitly when it cannot load is an error; the default falls back to wasm with a notice.
 */
export function chooseEngine(requested?: Engine): EngineChoice {
  const wanted = requested ?? engineFromEnv();
  if (wanted === "wasm") return { engine: "wasm" };
  const { addon, reason } = loadNativeAddon();
  if (addon) return { engine: "native" };
  if (wanted === "native") throw new Error(`the native engine is unavailable: ${reason}; ${NATIVE_HINT}`);
  return {
    engine: "wasm",
    notice: `training on the wasm engine: ${reason}. For the faster native engine (oneDNN): ${NATIVE_HINT}`,
  };
}

let noticed = false;

/** chooseEngine, printing its notice to stderr once per process. */
export function chooseEngineAndReport(requested?: Engine): Engine {
  const choice = chooseEngine(requested);
  if (choice.notice && !noticed) {
    noticed = true;
    process.stderr.write(choice.notice + "\n");
  }
  return choice.engine;
}

/**
 * What trained a result, as files record it: the engine, and for the native one what its numbers depend on
 * (oneDNN's version and instruction set, and the thread count, which orders some of its sums).
 */
export interface EngineRecord {
  name: Engine;
  onednn?: string;
  isa?: string;
  threads?: number;
}

export function engineRecord(engine: Engine, threads: number): EngineRecord {
  if (engine === "wasm") return { name: "wasm" };
  const { addon, reason } = loadNativeAddon();
  if (!addon) throw new Error(`the native engine is unavailable: ${reason}`);
  const { onednn, isa } = addon.version();
  return { name: "native", onednn, isa, threads };
}

/** oneDNN threads for each of `concurrent` trainers sharing the machine (at least 1). */
export function nativeThreadsPer(concurrent: number): number {
  return Math.max(1, Math.floor(availableParallelism() / Math.max(1, concurrent)));
}
