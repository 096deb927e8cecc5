// The reference net trained as an integral net from scratch (first seed of the MNIST sweep), as a
// single-file continuous model (src/lib/io/model-file.ts: encodeModelFile / decodeModelFile).
import { sweepLoader } from "../../../loaders/sweep/job.js";

await sweepLoader("reference-inn.model", "mnist");
