// The resnet18-family SINN (separable integral blocks) trained on MNIST by the sweep, as a weights file
// (integral-lab/weights JSON with batch-norm statistics; rebuild with createModel(file.model, file.input, 0)).
import { sweepLoader } from "../../../loaders/sweep/job.js";

await sweepLoader("sinn-resnet18.model", "mnist");
