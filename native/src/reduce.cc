// Sums of a row-major [rows, cols] float32 matrix over its rows (one sum per column: a bias gradient, the
// leading axes of NHWC) or over its columns (one per row). Column sums add fixed blocks of rows in float,
// then the blocks in double, in an order that does not depend on the thread count.
//
// Parameters (Float64Array): 0 over (0: rows, 1: columns)   1 rows   2 cols   3, 4: byte offsets of x and out
#include <algorithm>
#include <vector>

#include "kernels.h"

namespace iln {

namespace {
constexpr long long kRowBlocks = 64;
}

bool sum(const Args& a) {
  const long long over = a.integer(0), rows = a.integer(1), cols = a.integer(2);
  if (over != 0 && over != 1) throw CallError("sum: over must be 0 or 1");
  if (rows < 1 || cols < 1) throw CallError("sum: sizes must be positive");
  const float* x = a.heap.f32(a.number(3), rows * cols, "sum x");
  float* out = a.heap.f32(a.number(4), over == 0 ? cols : rows, "sum out");
  if (over == 1) {
#pragma omp parallel for schedule(static)
    for (long long r = 0; r < rows; ++r) {
      const float* row = x + r * cols;
      double total = 0;
      for (long long c = 0; c < cols; ++c) total += row[c];
      out[r] = static_cast<float>(total);
    }
    return true;
  }
  const long long blocks = std::min(kRowBlocks, rows);
  std::vector<float> partial(blocks * cols, 0.f);
#pragma omp parallel for schedule(static)
  for (long long b = 0; b < blocks; ++b) {
    float* acc = partial.data() + b * cols;
    for (long long r = rows * b / blocks; r < rows * (b + 1) / blocks; ++r) {
      const float* row = x + r * cols;
      for (long long c = 0; c < cols; ++c) acc[c] += row[c];
    }
  }
  for (long long c = 0; c < cols; ++c) {
    double total = 0;
    for (long long b = 0; b < blocks; ++b) total += partial[b * cols + c];
    out[c] = static_cast<float>(total);
  }
  return true;
}

}  // namespace iln
