// The kernels behind the N-API entry points. Each returns false when oneDNN has no implementation for its
// parameters (the caller falls back to another kernel) and throws CallError on malformed arguments.
#pragma once
#include "heap.h"

namespace iln {
bool convolution(const Args& args);
bool pooling(const Args& args);
bool matmul(const Args& args);
bool edgePad(const Args& args);
bool sum(const Args& args);
bool optimizerUpdate(const Args& args);
}  // namespace iln
