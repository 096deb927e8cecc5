/**
 * Framework `dynamicPaths` for the parameterised sweep loaders: one curves file per user dataset in
 * data/<name>/ (MNIST has its own, /data/curves.json). Used by observablehq.config.ts. Imports only the
 * dataset listing (the config must stay light).
 */
import { listDatasets } from "../datasets.js";

export function sweepDynamicPaths(): string[] {
  const dataDir = process.env.INTEGRAL_LAB_DATA_DIR;
  return listDatasets(dataDir ? { dataDir } : {})
    .filter((name) => name !== "mnist")
    .map((name) => `/data/${name}/curves.json`);
}
