#include "runtime.h"

#include "heap.h"

namespace iln {

dnnl::engine& cpuEngine() {
  thread_local dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpuStream() {
  thread_local dnnl::stream stream(cpuEngine());
  return stream;
}

Operand::Operand(int arg_, bool output_, const dnnl::memory::desc& userDesc, const dnnl::memory::desc& wanted)
    : arg(arg_), output(output_) {
  user = dnnl::memory(userDesc, cpuEngine(), DNNL_MEMORY_NONE);
  if (userDesc == wanted) {
    internal = user;
    return;
  }
  reordered = true;
  internal = dnnl::memory(wanted, cpuEngine());
  convert = output ? dnnl::reorder(internal, user) : dnnl::reorder(user, internal);
}

void Prepared::run(const std::vector<void*>& pointers) {
  auto& stream = cpuStream();
  std::unordered_map<int, dnnl::memory> args;
  for (size_t i = 0; i < operands.size(); ++i) {
    Operand& op = operands[i];
    op.user.set_data_handle(pointers[i]);
    if (op.reordered && !op.output) op.convert.execute(stream, op.user, op.internal);
    args.emplace(op.arg, op.internal);
  }
  primitive.execute(stream, args);
  for (Operand& op : operands) {
    if (op.reordered && op.output) op.convert.execute(stream, op.internal, op.user);
  }
  stream.wait();
}

namespace {
struct CacheSlot {
  std::unique_ptr<Prepared> prepared;
  std::string failure;
};
thread_local std::unordered_map<std::string, CacheSlot> cache;
thread_local std::string lastImpl;
thread_local std::string lastFail;
}  // namespace

Prepared* cachedPrimitive(const std::string& key, const std::function<std::unique_ptr<Prepared>()>& make) {
  auto found = cache.find(key);
  if (found == cache.end()) {
    CacheSlot slot;
    try {
      slot.prepared = make();
    } catch (const dnnl::error& e) {
      slot.failure = std::string("oneDNN: ") + e.what();
    }
    found = cache.emplace(key, std::move(slot)).first;
  }
  if (!found->second.prepared) {
    lastFail = found->second.failure;
    return nullptr;
  }
  lastImpl = found->second.prepared->implementation;
  return found->second.prepared.get();
}

const std::string& lastImplementation() { return lastImpl; }

const std::string& lastFailure() { return lastFail; }

size_t cachedPrimitiveCount() { return cache.size(); }

}  // namespace iln
