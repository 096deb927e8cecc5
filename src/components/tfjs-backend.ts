/**
 * The browser's tfjs engine: one tfjs-core (the same module src/lib imports) with the webgl, wasm and cpu
 * backends registered in it, and a picker that takes the fastest one this browser can run.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-webgl";
// The wasm backend, pre-bundled for the browser by scripts/bundle-tfjs-wasm.ts (tfjs-core left external).
import { setWasmPaths } from "../vendor/tfjs-backend-wasm.js";

export type BrowserBackend = "webgl" | "wasm" | "cpu";

/** Preference order: WebGL when the browser has it, then wasm (SIMD when available), then plain cpu. */
export const backendPreference: readonly BrowserBackend[] = ["webgl", "wasm", "cpu"];

// import.meta.resolve of a literal makes Framework copy each binary into dist/_node/, so the wasm backend
// fetches them from the site's own origin. tfjs picks one of the three at run time (SIMD, threads).
setWasmPaths({
  "tfjs-backend-wasm.wasm": import.meta.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"),
  "tfjs-backend-wasm-simd.wasm": import.meta.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"),
  "tfjs-backend-wasm-threaded-simd.wasm": import.meta
    .resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm"),
});

/**
 * The WebGL renderer's name, or undefined when the browser cannot create a WebGL context. Headless
 * chromium often has WebGL only through SwiftShader, a CPU emulation of the GPU.
 */
export function webglRenderer(): string | undefined {
  try {
    const canvas = document.createElement("canvas");
    const gl = (canvas.getContext("webgl2") ?? canvas.getContext("webgl")) as WebGLRenderingContext | null;
    if (!gl) return undefined;
    const debug = gl.getExtension("WEBGL_debug_renderer_info");
    const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension("WEBGL_lose_context")?.loseContext(); // give the context back; tfjs makes its own
    return renderer;
  } catch {
    return undefined;
  }
}

/** True for a software rasteriser (SwiftShader, llvmpipe): slower than wasm SIMD, so not worth using. */
export function isSoftwareRenderer(renderer: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software/i.test(renderer);
}

/** True when the browser has hardware-backed WebGL; tfjs's webgl backend would otherwise be slow or fail. */
export function hasHardwareWebGL(): boolean {
  const renderer = webglRenderer();
  return renderer !== undefined && !isSoftwareRenderer(renderer);
}

/** A backend named in the page URL (?backend=wasm), so a reader or a test can pin one; else undefined. */
export function backendFromUrl(search: string = globalThis.location?.search ?? ""): BrowserBackend | undefined {
  const requested = new URLSearchParams(search).get("backend");
  if (requested === null) return undefined;
  if ((backendPreference as readonly string[]).includes(requested)) return requested as BrowserBackend;
  throw new Error(`unknown tfjs backend "${requested}" in the URL; use one of ${backendPreference.join(", ")}`);
}

let initialising: Promise<BrowserBackend> | undefined;

/**
 * Select a backend and return its name. Order: the URL's ?backend= if given (and only that one: a pinned
 * backend that fails is an error, not a silent fallback), else `backendPreference`, skipping webgl without
 * hardware WebGL. Idempotent: every caller on the page shares one initialisation.
 */
export function initBrowserEngine(options: { prefer?: readonly BrowserBackend[] } = {}): Promise<BrowserBackend> {
  initialising ??= (async () => {
    const pinned = backendFromUrl();
    const candidates = pinned
      ? [pinned]
      : (options.prefer ?? backendPreference).filter((name) => name !== "webgl" || hasHardwareWebGL());
    const failures: string[] = [];
    for (const name of candidates) {
      try {
        if (await tf.setBackend(name)) {
          await tf.ready();
          return name;
        }
        failures.push(`${name}: setBackend returned false`);
      } catch (error) {
        failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    throw new Error(`no tfjs backend could be initialised (${failures.join("; ") || "none tried"})`);
  })();
  return initialising;
}

/** What the engine holds: the active backend and every backend registered in this tfjs-core. */
export function engineInfo(): { backend: string; registered: string[]; version: string } {
  return { backend: tf.getBackend(), registered: tf.engine().backendNames(), version: tf.version_core };
}

/**
 * A one-line status element, "tfjs backend: <name>", filled in when the engine is ready. data-state is
 * "pending", "ready" or "error", and data-testid="tfjs-backend" holds the backend name, for tests.
 */
export function engineStatus(): HTMLElement {
  const line = document.createElement("p");
  line.className = "tfjs-engine-status";
  const name = document.createElement("code");
  name.dataset.testid = "tfjs-backend";
  name.dataset.state = "pending";
  name.textContent = "initialising…";
  line.append("tfjs backend: ", name);
  initBrowserEngine().then(
    (backend) => {
      const { registered, version } = engineInfo();
      name.textContent = backend;
      name.dataset.state = "ready";
      name.dataset.registered = registered.join(",");
      line.title = `tfjs-core ${version}; registered backends: ${registered.join(", ")}; WebGL renderer: ${
        webglRenderer() ?? "none"
      }`;
    },
    (error: unknown) => {
      name.textContent = `unavailable (${error instanceof Error ? error.message : String(error)})`;
      name.dataset.state = "error";
    },
  );
  return line;
}
