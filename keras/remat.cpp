// remat.cpp - RematScope's thread-local stack (keras/remat.h).
#include "keras/remat.h"

#include <algorithm>
#include <stdexcept>

namespace keras {
namespace {
thread_local RematScope* t_scope = nullptr;
thread_local bool t_remat_activations = false;
}  // namespace

RematScope::RematScope(std::optional<std::string> mode, int64_t output_size_threshold,
                       std::vector<std::string> layer_names)
    : mode_{std::move(mode), output_size_threshold, std::move(layer_names)}, outer_(t_scope) {
  if (mode_.mode && *mode_.mode != "full" && *mode_.mode != "activations" && *mode_.mode != "larger_than" &&
      *mode_.mode != "list_of_layers")
    throw std::invalid_argument("RematScope: invalid mode '" + *mode_.mode +
                                "'; supported modes are 'full', 'activations', 'larger_than', 'list_of_layers', "
                                "or std::nullopt (None)");
  t_scope = this;
}

RematScope::~RematScope() { t_scope = outer_; }

std::optional<RematMode> get_current_remat_mode() {
  if (!t_scope) return std::nullopt;
  return t_scope->remat_mode();
}

namespace detail {
RematActivations::RematActivations(bool on) : saved_(t_remat_activations) { t_remat_activations = on; }
RematActivations::~RematActivations() { t_remat_activations = saved_; }
bool remat_activations() { return t_remat_activations; }

bool remat_whole_call(const RematMode& mode, const std::string& layer,
                      const std::function<std::vector<std::vector<int64_t>>()>& output_shapes) {
  if (!mode.mode) return false;
  if (*mode.mode == "full") return true;
  if (*mode.mode == "list_of_layers")
    return std::find(mode.layer_names.begin(), mode.layer_names.end(), layer) != mode.layer_names.end();
  if (*mode.mode != "larger_than") return false;
  int64_t size = 0;
  for (const auto& shape : output_shapes()) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d < 0 ? 1 : d;  // an unknown dimension counts as 1, as Keras's
    size += n;
  }
  return size > mode.output_size_threshold;
}
}  // namespace detail

}  // namespace keras
