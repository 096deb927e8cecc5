// The MNIST test split (10,000 images and labels) as an evalset binary with a CRC-32 (src/lib/data/evalset.ts).
import { testEvalSet } from "../../loaders/sweep/evalset-output.js";

try {
  process.stdout.write(testEvalSet("mnist"));
} catch (e) {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
