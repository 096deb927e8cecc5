// Types for the generated browser bundle (scripts/bundle-tfjs-wasm.ts): it is the package, re-bundled.
export * from "@tensorflow/tfjs-backend-wasm";
