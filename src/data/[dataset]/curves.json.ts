// Curves of any IDX dataset in data/<name>/ (parameterised: /data/<name>/curves.json; see
// loaders/sweep/dynamic-paths.ts for the list Framework builds). Same schema as /data/curves.json.
import { parseArgs } from "node:util";
import { sweepLoader } from "../../../loaders/sweep/job.js";

const { values } = parseArgs({ options: { dataset: { type: "string" } }, strict: false });
if (typeof values.dataset !== "string") {
  process.stderr.write("error: missing --dataset parameter\n");
  process.exitCode = 1;
} else {
  await sweepLoader("curves.json", values.dataset);
}
