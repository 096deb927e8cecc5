// Accuracy-versus-compression curves of the MNIST sweep (schema: README "Data files"). Thin: the sweep job
// (loaders/sweep) trains once per code/profile/dataset; this prints its curves.json.
import { sweepLoader } from "../../loaders/sweep/job.js";

await sweepLoader("curves.json", "mnist");
