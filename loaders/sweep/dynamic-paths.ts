/**
 * Framework `dynamicPaths` for the parameterised sweep loaders: one curves file per user dataset in
 * data/<name>/ (MNIST has its own, /data/curves.json). Wire into observablehq.config.ts as
 * `dynamicPaths: sweepDynamicPaths`.
 */
import { listDatasets } from "../datasets.js";
import { datasetOptionsFromEnv } from "./job.js";

export function sweepDynamicPaths(): string[] {
  return listDatasets(datasetOptionsFromEnv()).filter((name) => name !== "mnist").map((name) => `/data/${name}/curves.json`);
}
