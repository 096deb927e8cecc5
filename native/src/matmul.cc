// Batched matrix products C[b] = op(A[b]) · op(B[b]) (+ bias, activation), row-major, as TensorFlow.js's
// BatchMatMul and _FusedMatMul: op transposes when asked; a batch of 1 broadcasts against the other.
//
// Parameters (Float64Array):
//   0 batch of A   1 batch of B   2 M   3 K   4 N   5 transpose A   6 transpose B   7 activation (activation.h)
//   8 activation alpha   9, 10, 11, 12: byte offsets of A, B, C and the bias ([N]; −1: none)
#include <algorithm>
#include <sstream>

#include "activation.h"
#include "kernels.h"
#include "runtime.h"

namespace iln {

using dnnl::memory;
using dt = memory::data_type;

namespace {

struct MatMulShape {
  long long batchA, batchB, m, k, n, transposeA, transposeB, activation;
  double alpha;
};

std::unique_ptr<Prepared> build(const MatMulShape& s, bool bias) {
  auto& eng = cpuEngine();
  const long long batch = std::max(s.batchA, s.batchB);
  // A is stored [batch, M, K], or [batch, K, M] when transposed; likewise B [batch, K, N] or [batch, N, K].
  memory::desc a({s.batchA, s.m, s.k}, dt::f32,
                 s.transposeA ? memory::dims{s.m * s.k, 1, s.m} : memory::dims{s.m * s.k, s.k, 1});
  memory::desc b({s.batchB, s.k, s.n}, dt::f32,
                 s.transposeB ? memory::dims{s.k * s.n, 1, s.k} : memory::dims{s.k * s.n, s.n, 1});
  memory::desc c({batch, s.m, s.n}, dt::f32, memory::dims{s.m * s.n, s.n, 1});
  memory::desc biasDesc({1, 1, s.n}, dt::f32, memory::dims{s.n, s.n, 1});
  dnnl::primitive_attr attr;
  attr.set_post_ops(activationPostOps(static_cast<int>(s.activation), s.alpha));
  dnnl::matmul::desc d = bias ? dnnl::matmul::desc(a, b, biasDesc, c) : dnnl::matmul::desc(a, b, c);
  dnnl::matmul::primitive_desc pd(d, attr, eng);
  auto prepared = std::make_unique<Prepared>();
  prepared->primitive = dnnl::matmul(pd);
  prepared->implementation = pd.impl_info_str();
  prepared->operands = {Operand(DNNL_ARG_SRC, false, a, pd.src_desc()),
                        Operand(DNNL_ARG_WEIGHTS, false, b, pd.weights_desc()),
                        Operand(DNNL_ARG_DST, true, c, pd.dst_desc())};
  if (bias) prepared->operands.emplace_back(DNNL_ARG_BIAS, false, biasDesc, pd.bias_desc());
  return prepared;
}

}  // namespace

bool matmul(const Args& a) {
  MatMulShape s{a.integer(0), a.integer(1), a.integer(2), a.integer(3), a.integer(4),
                a.integer(5), a.integer(6), a.integer(7), a.number(8)};
  for (long long v : {s.batchA, s.batchB, s.m, s.k, s.n})
    if (v < 1) throw CallError("matmul: sizes must be positive");
  if (s.batchA != s.batchB && s.batchA != 1 && s.batchB != 1)
    throw CallError("matmul: batches must be equal or one of them 1");
  const bool bias = a.number(12) >= 0;
  std::ostringstream key;
  key << "matmul";
  for (long long v : {s.batchA, s.batchB, s.m, s.k, s.n, s.transposeA, s.transposeB, s.activation}) key << ':' << v;
  key << ':' << s.alpha << ':' << bias;
  Prepared* p = cachedPrimitive(key.str(), [&] { return build(s, bias); });
  if (p == nullptr) return false;
  const Heap& h = a.heap;
  const long long batch = std::max(s.batchA, s.batchB);
  std::vector<void*> ptrs{h.f32(a.number(9), s.batchA * s.m * s.k, "matmul a"),
                          h.f32(a.number(10), s.batchB * s.k * s.n, "matmul b"),
                          h.f32(a.number(11), batch * s.m * s.n, "matmul c")};
  if (bias) ptrs.push_back(h.f32(a.number(12), s.n, "matmul bias"));
  p->run(ptrs);
  return true;
}

}  // namespace iln
