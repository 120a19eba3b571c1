// bench_device.h - where a training benchmark runs (--device, --policy of TrainFlags):
// a Placement made first in main() puts everything made after it on GPU:0 (a DeviceScope:
// weights, optimizer slots; fit copies each batch there) and sets the global dtype
// policy, and names both for the JSON line.
#pragma once
#include <cstdio>
#include <optional>
#include <string>

#include "bench_util.h"
#include "keras/keras.h"

namespace bench {

class Placement {
 public:
  explicit Placement(const TrainFlags& f) : device_(f.device), policy_(f.policy.empty() ? "float32" : f.policy) {
    if (f.device == "gpu") {
      if (keras::core::cuda_device_count() == 0) {
        std::fprintf(stderr, "--device gpu: no CUDA device visible\n");
        std::exit(2);
      }
      scope_.emplace(keras::Device::cuda(0));
    }
    if (!f.policy.empty()) keras::mixed_precision::set_global_policy(f.policy);
  }
  bool gpu() const { return device_ == "gpu"; }
  // ,"device":"gpu","policy":"mixed_bfloat16" for the JSON line.
  std::string json() const { return ",\"device\":\"" + device_ + "\",\"policy\":\"" + policy_ + "\""; }

 private:
  std::string device_, policy_;
  std::optional<keras::DeviceScope> scope_;
};

}  // namespace bench
