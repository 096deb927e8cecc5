// N-API entry points. Each kernel takes (heap: ArrayBuffer, params: Float64Array) and returns true when it
// computed its result into the heap, false when oneDNN cannot run that case (the caller then uses another
// kernel); malformed arguments throw.
#include <node_api.h>
#include <omp.h>

#include <string>

#include "kernels.h"
#include "heap.h"
#include "runtime.h"

namespace {

using iln::Args;

napi_value throwError(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, message.c_str());
  return nullptr;
}

napi_value boolean(napi_env env, bool value) {
  napi_value out;
  napi_get_boolean(env, value, &out);
  return out;
}

napi_value string(napi_env env, const std::string& value) {
  napi_value out;
  napi_create_string_utf8(env, value.c_str(), value.size(), &out);
  return out;
}

napi_value number(napi_env env, double value) {
  napi_value out;
  napi_create_double(env, value, &out);
  return out;
}

bool readArgs(napi_env env, napi_callback_info info, Args& out, const char* name) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  bool isBuffer = false, isTyped = false;
  if (argc == 2) napi_is_arraybuffer(env, argv[0], &isBuffer);
  if (argc == 2) napi_is_typedarray(env, argv[1], &isTyped);
  if (!isBuffer || !isTyped) {
    throwError(env, std::string(name) + ": expected (heap: ArrayBuffer, params: Float64Array)");
    return false;
  }
  void* data = nullptr;
  napi_get_arraybuffer_info(env, argv[0], &data, &out.heap.size);
  out.heap.base = static_cast<uint8_t*>(data);
  napi_typedarray_type type;
  void* params = nullptr;
  napi_get_typedarray_info(env, argv[1], &type, &out.count, &params, nullptr, nullptr);
  if (type != napi_float64_array) {
    throwError(env, std::string(name) + ": params must be a Float64Array");
    return false;
  }
  out.params = static_cast<const double*>(params);
  return true;
}

template <bool (*Kernel)(const Args&)>
napi_value kernelEntry(napi_env env, napi_callback_info info) {
  Args args;
  if (!readArgs(env, info, args, "native kernel")) return nullptr;
  try {
    return boolean(env, Kernel(args));
  } catch (const iln::CallError& e) {
    return throwError(env, e.what());
  } catch (const dnnl::error& e) {
    return throwError(env, std::string("oneDNN: ") + e.what());
  }
}

napi_value setThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t n = 0;
  if (argc != 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1)
    return throwError(env, "setThreads: expected a positive integer");
  // Per calling thread (an OpenMP internal control variable), so each worker thread sets its own.
  omp_set_num_threads(n);
  return nullptr;
}

napi_value threads(napi_env env, napi_callback_info) { return number(env, omp_get_max_threads()); }

napi_value lastImplementation(napi_env env, napi_callback_info) {
  return string(env, iln::lastImplementation());
}

napi_value lastFailure(napi_env env, napi_callback_info) { return string(env, iln::lastFailure()); }

napi_value cachedPrimitives(napi_env env, napi_callback_info) {
  return number(env, static_cast<double>(iln::cachedPrimitiveCount()));
}

const char* isaName(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "other";
  }
}

napi_value version(napi_env env, napi_callback_info) {
  const dnnl_version_t* v = dnnl_version();
  std::string text = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  napi_value out;
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "onednn", string(env, text));
  napi_set_named_property(env, out, "isa", string(env, isaName(dnnl::get_effective_cpu_isa())));
  napi_set_named_property(env, out, "threading", string(env, "openmp"));
  return out;
}

napi_value init(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"convolution", nullptr, kernelEntry<iln::convolution>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pooling", nullptr, kernelEntry<iln::pooling>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, kernelEntry<iln::matmul>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"edgePad", nullptr, kernelEntry<iln::edgePad>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sum", nullptr, kernelEntry<iln::sum>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"optimizerUpdate", nullptr, kernelEntry<iln::optimizerUpdate>, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"setThreads", nullptr, setThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, threads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lastImplementation", nullptr, lastImplementation, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lastFailure", nullptr, lastFailure, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"cachedPrimitives", nullptr, cachedPrimitives, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"version", nullptr, version, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(methods) / sizeof(methods[0]), methods);
  return exports;
}

}  // namespace

NAPI_MODULE_INIT() { return init(env, exports); }
