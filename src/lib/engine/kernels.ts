/**
 * Training kernels the tfjs 4.22 wasm backend lacks, built from kernels it has.
 * (Being written — see issue 2.)
 */
export function registerTrainingKernels(): void {}
