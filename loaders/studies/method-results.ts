/**
 * The kernel-shape and grouped point-wise study: LHC at target densities, SSC and IGPC at several Ch, each
 * trained with its method recipe — the sweep's method-net tasks under these amounts.
 *
 *   npx tsx loaders/studies/method-results.ts [--methods lhc-0.5,lhc-0.3,ssc,igpc-ch8] [--epochs N]
 *     [--mask-epochs N] [--limit-train N] [--limit-test N] [--workers 2] [--dataset mnist]
 */
import { parseMethodNet } from "../method-nets.js";
import { studyMain, wholeNumber } from "./study.js";

studyMain(
  "study-methods",
  import.meta.url,
  {
    methods: { type: "string", default: "lhc-0.5,lhc-0.3,lhc-0.15,ssc,igpc-ch2,igpc-ch4,igpc-ch8" },
    epochs: { type: "string" },
    "mask-epochs": { type: "string" },
  },
  (v, profile) => {
    const tasks = (v.methods as string).split(",").filter(Boolean).map(parseMethodNet);
    const m = profile.methodNets;
    return {
      ...profile,
      methodNets: {
        ...m,
        limitTrain: profile.limitTrain || m.limitTrain,
        epochs: wholeNumber("--epochs", v.epochs as string | undefined, 1) ?? m.epochs,
        lhcMaskEpochs: wholeNumber("--mask-epochs", v["mask-epochs"] as string | undefined, 1) ?? m.lhcMaskEpochs,
        lhcDensities: tasks.flatMap((t) => (t.kind === "lhc" ? [t.density] : [])),
        igpcChannelsPerGroup: tasks.flatMap((t) => (t.kind === "igpc" ? [t.channelsPerGroup] : [])),
        ssc: tasks.some((t) => t.kind === "ssc"),
      },
    };
  },
);
