// Sweep worker bootstrap: Node 20 ignores loader hooks in a Worker's execArgv, so the TypeScript worker
// is loaded through tsx's API from this plain-JavaScript entry (as loaders/parallel/worker-entry.mjs).
import { tsImport } from "tsx/esm/api";

await tsImport("./worker.ts", import.meta.url);
