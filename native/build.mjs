// Install script: build the addon with node-gyp against Debian's oneDNN (libdnnl-dev). It never fails the
// install: without oneDNN or a compiler it says so on one line and exits 0, and training uses the wasm engine.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const say = (line) => process.stderr.write(`integral-lab-native: ${line}\n`);
const fallback =
  "training will use the wasm engine (apt-get install -y libdnnl-dev, then npm rebuild integral-lab-native)";

function findHeader() {
  const dirs = [...(process.env.CPATH ?? "").split(":").filter(Boolean), "/usr/include", "/usr/local/include"];
  return dirs.find((d) => existsSync(join(d, "oneapi", "dnnl", "dnnl.hpp")));
}

/** node-gyp: the one npm runs install scripts with, else the copy bundled with npm next to this node. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(
      dirname(process.execPath),
      "..",
      "lib",
      "node_modules",
      "npm",
      "node_modules",
      "node-gyp",
      "bin",
      "node-gyp.js",
    ),
  ];
  return candidates.find((p) => p && existsSync(p));
}

/** Node's own headers (no download): the installation prefix of this node, when it ships include/node. */
function findNodeDir() {
  const prefix = join(dirname(process.execPath), "..");
  return existsSync(join(prefix, "include", "node", "node_api.h")) ? prefix : undefined;
}

function main() {
  if (process.env.INTEGRAL_LAB_NATIVE_BUILD === "0") {
    say(`build skipped (INTEGRAL_LAB_NATIVE_BUILD=0); ${fallback}`);
    return;
  }
  if (!findHeader()) {
    say(`oneDNN headers (oneapi/dnnl/dnnl.hpp) not found; ${fallback}`);
    return;
  }
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) {
    say(`node-gyp not found; ${fallback}`);
    return;
  }
  const nodeDir = findNodeDir();
  const args = [nodeGyp, "rebuild", ...(nodeDir ? [`--nodedir=${nodeDir}`] : [])];
  const run = spawnSync(process.execPath, args, { cwd: here, encoding: "utf8", maxBuffer: 64 << 20 });
  mkdirSync(join(here, "build"), { recursive: true });
  writeFileSync(join(here, "build", "build.log"), `${run.stdout ?? ""}${run.stderr ?? ""}`);
  if (run.status !== 0) {
    say(`build failed (exit ${run.status}; log in native/build/build.log); ${fallback}`);
    return;
  }
  say("built the oneDNN training kernels (native engine)");
}

main();
