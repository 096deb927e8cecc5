/**
 * The evaluation images and labels for the browser: a dataset's test split (or its first `count`
 * items) as an evalset binary (src/lib/data/evalset.ts: magic, geometry, CRC-32). No training involved.
 */
import { loadDataset, type DatasetOptions } from "../datasets.js";
import { headOfSplit } from "../../src/lib/data/dataset.js";
import { encodeEvalSet } from "../../src/lib/data/evalset.js";

/**
 * The live page's batch-norm calibration images: the first `count` TRAINING images (never test
 * images, which would leak into the accuracy shown), as an evalset binary.
 */
export function calibrationEvalSet(dataset: string, options: DatasetOptions = {}, count = 256): Uint8Array {
  const d = loadDataset(dataset, options);
  return encodeEvalSet(headOfSplit(d.train, count, d), {
    height: d.height,
    width: d.width,
    channels: d.channels,
    classes: d.classes,
  });
}

export function testEvalSet(dataset: string, options: DatasetOptions = {}, count = 0): Uint8Array {
  const d = loadDataset(dataset, options);
  const split = count > 0 && count < d.test.count ? headOfSplit(d.test, count, d) : d.test;
  return encodeEvalSet(split, { height: d.height, width: d.width, channels: d.channels, classes: d.classes });
}
