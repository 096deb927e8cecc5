// Activations fused after a convolution or matrix product, by TensorFlow.js's name:
// 0 linear, 1 relu, 2 relu6, 3 leakyrelu (alpha), 4 sigmoid, 5 elu.
#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#include "heap.h"

namespace iln {

inline dnnl::post_ops activationPostOps(int activation, double alpha) {
  dnnl::post_ops ops;
  using a = dnnl::algorithm;
  switch (activation) {
    case 0: break;
    case 1: ops.append_eltwise(1.f, a::eltwise_relu, 0.f, 0.f); break;
    case 2: ops.append_eltwise(1.f, a::eltwise_clip, 0.f, 6.f); break;
    case 3: ops.append_eltwise(1.f, a::eltwise_relu, static_cast<float>(alpha), 0.f); break;
    case 4: ops.append_eltwise(1.f, a::eltwise_logistic, 0.f, 0.f); break;
    case 5: ops.append_eltwise(1.f, a::eltwise_elu, 1.f, 0.f); break;
    default: throw CallError("unknown activation code " + std::to_string(activation));
  }
  return ops;
}

}  // namespace iln
