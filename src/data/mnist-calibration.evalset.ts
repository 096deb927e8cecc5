// The first 256 MNIST TRAINING images and labels as an evalset binary with a CRC-32 (src/lib/data/evalset.ts):
// the live page re-estimates a SINN model's batch-norm statistics on them at every reduced size.
import { calibrationEvalSet } from "../../loaders/sweep/evalset-output.js";

try {
  process.stdout.write(calibrationEvalSet("mnist"));
} catch (e) {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
