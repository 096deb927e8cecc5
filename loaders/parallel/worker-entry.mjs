// Worker bootstrap. Node 20 does not apply loader hooks given in a Worker's execArgv (nodejs/node#47747),
// so the TypeScript worker is loaded through tsx's API from this plain-JavaScript entry.
import { tsImport } from "tsx/esm/api";

await tsImport("./worker.ts", import.meta.url);
