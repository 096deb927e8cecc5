// Arguments of every kernel entry point: the wasm heap (an ArrayBuffer) and a Float64Array of parameters
// (byte offsets into the heap and integer sizes), read without copying.
#pragma once
#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace iln {

// A kernel-call failure that JavaScript sees as a thrown Error with this message.
struct CallError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Heap {
  uint8_t* base = nullptr;
  size_t size = 0;

  // A float32 tensor of `count` elements at byte offset `offset`; throws if it does not lie inside the heap.
  float* f32(double offset, size_t count, const char* what) const {
    if (!(offset >= 0) || offset != static_cast<double>(static_cast<size_t>(offset)))
      throw CallError(std::string(what) + ": offset is not a non-negative integer");
    size_t at = static_cast<size_t>(offset);
    if (at % alignof(float) != 0) throw CallError(std::string(what) + ": offset is not 4-byte aligned");
    if (at > size || count > (size - at) / sizeof(float))
      throw CallError(std::string(what) + ": tensor lies outside the wasm heap");
    return reinterpret_cast<float*>(base + at);
  }
};

struct Args {
  Heap heap;
  const double* params = nullptr;
  size_t count = 0;

  // Integer parameter `i` (throws if absent or not an integer).
  long long integer(size_t i) const {
    if (i >= count) throw CallError("parameter " + std::to_string(i) + " missing");
    double v = params[i];
    long long n = static_cast<long long>(v);
    if (static_cast<double>(n) != v) throw CallError("parameter " + std::to_string(i) + " is not an integer");
    return n;
  }
  double number(size_t i) const {
    if (i >= count) throw CallError("parameter " + std::to_string(i) + " missing");
    return params[i];
  }
};

}  // namespace iln
