// oneDNN engine and stream of the calling thread, and a cache of primitives keyed by their parameters.
// Every JavaScript thread (main or worker) calls from its own OS thread, so all of this is thread_local.
#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace iln {

dnnl::engine& cpuEngine();
dnnl::stream& cpuStream();

// An argument of a primitive as the caller holds it (a pointer into the wasm heap, plain layout) and as
// the primitive wants it; when the layouts differ, a reorder runs before (inputs) or after (outputs).
struct Operand {
  int arg = 0;
  bool output = false;
  dnnl::memory user;     // plain layout, data handle set per call
  dnnl::memory internal; // the primitive's layout (same object as `user` when no reorder is needed)
  dnnl::reorder convert;
  bool reordered = false;

  Operand() = default;
  Operand(int arg, bool output, const dnnl::memory::desc& userDesc, const dnnl::memory::desc& wanted);
};

// A primitive with its operands, ready to run on pointers given at call time.
struct Prepared {
  dnnl::primitive primitive;
  std::vector<Operand> operands;
  std::string implementation;

  // Run with one pointer per operand (in operand order).
  void run(const std::vector<void*>& pointers);
};

// Cached by key; `make` builds it on first use. oneDNN's refusal to build one (an unimplemented case) is
// cached too: the call returns nullptr, so the caller falls back to another kernel at the cost of a lookup.
Prepared* cachedPrimitive(const std::string& key, const std::function<std::unique_ptr<Prepared>()>& make);

// Why the most recent cachedPrimitive call returned nullptr.
const std::string& lastFailure();

// The implementation oneDNN chose for the most recent cached call of a kernel, for tests and benchmarks.
const std::string& lastImplementation();

// Number of cached primitives on this thread (for tests: the cache grows by shape, not by call).
size_t cachedPrimitiveCount();

}  // namespace iln
