// The discrete twin of reference-inn.model (same recipe and seed, trained as an ordinary net), stored as a
// continuous model whose nodes are its channels (exact at full size; channel order as trained).
import { sweepLoader } from "../../../loaders/sweep/job.js";

await sweepLoader("reference.model", "mnist");
