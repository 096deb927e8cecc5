/**
 * Framework `dynamicPaths` for the parameterised sweep loaders: one curves file per user dataset in
 * data/<name>/ (MNIST has its own, /data/curves.json). Used by observablehq.config.ts. Imports only the
 * dataset listing (the config must stay light).
 */
import { inspectDatasets, listDatasets, type SkippedDataset } from "../datasets.js";

function datasetOptions() {
  const dataDir = process.env.INTEGRAL_LAB_DATA_DIR;
  return dataDir ? { dataDir } : {};
}

export function sweepDynamicPaths(): string[] {
  return listDatasets(datasetOptions())
    .filter((name) => name !== "mnist")
    .map((name) => `/data/${name}/curves.json`);
}

/** The user datasets the build makes curves for, and the folders it skipped (for the curves page to explain). */
export function sweepDatasets(): { names: string[]; skipped: SkippedDataset[] } {
  return inspectDatasets(datasetOptions());
}
