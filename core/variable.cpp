// variable.cpp - Variable: mutable state whose reads and assignments are ops
// (ReadVariable, AssignVariable), so a traced graph reads and changes variables when
// it runs instead of freezing their values at trace time.
#include <cstring>
#include <ostream>
#include <stdexcept>

#include "core/autocast.h"
#include "core/autodiff.h"
#include "core/device_scope.h"
#include "core/dispatch.h"
#include "core/graph.h"
#include "core/ops.h"
#include "core/remat_internal.h"
#include "core/stateless_internal.h"
#include "core/tensor_impl.h"
#include "core/variable_options.h"

namespace keras::core {

struct Variable::State : Resource {
  State(Tensor v, std::string n, bool t) : value(std::move(v)), name(std::move(n)), trainable(t) {}
  Tensor value;
  std::string name;
  std::string path;  // empty: the name
  bool trainable;
  Variable::Constraint constraint;
  bool autocast = true;  // read in the compute dtype inside an autocast::Scope
  bool overwrite_with_gradient = false;  // optimizers assign the gradient (variable_options.h)
};

namespace {
Variable::State& state_of(const std::shared_ptr<Variable::State>& s, const char* what) {
  if (!s) throw std::invalid_argument(std::string("Variable.") + what + ": the variable is undefined");
  return *s;
}
Variable::State& resource_state(const OpCall& c) {
  if (c.attrs.resources.size() != 1 || !c.attrs.resources[0])
    throw std::logic_error(std::string(c.name()) + ": expected one variable resource");
  return static_cast<Variable::State&>(*c.attrs.resources[0]);
}

// ReadVariable: resources = {variable}; output = its current value: a fresh handle on the
// same buffer (no copy). Fresh, so two reads are two values: a trace knows values by their
// handle, and with the variable's own handle a read after an in-place update (an
// optimizer's) took over the earlier read's place in the graph, which then saw the new
// value. An in-place update copies first while a read's handle holds the buffer.
void infer_read(OpCall& c) {
  Variable::State& s = resource_state(c);
  const Tensor* scoped = stateless::active() ? stateless::find(&s) : nullptr;  // a graph run in a StatelessScope
  const Tensor& value = scoped ? *scoped : s.value;
  c.set_output(0, value.shape(), value.dtype());
  // A graph that runs (not a trace) reads the value's own handle, as an eager read does, so
  // a tape that watches the variable (or a StatelessScope's tensor) differentiates through
  // the graph's ops when they run one by one under it.
  c.outputs[0] = tracing::t_tracer ? view_as(value, value.shape()) : value;
  // A graph run inside a rematerialized call reads as the call's other reads do (a trace's
  // read is noted by Variable::value(), with the trace's value).
  if (!tracing::t_tracer) remat::note(Variable::from_resource(c.attrs.resources[0]), value);
  // A graph's read watches the variable on recording tapes, as an eager read does (a
  // scope's value: only where the caller watches it).
  if (!scoped) autodiff::on_variable_read(Variable::from_resource(c.attrs.resources[0]), c.outputs[0]);
}

// AssignVariable: resources = {variable}, inputs = {value}; no output. The kernel (the
// same on every device) replaces the variable's value handle.
void check_assignable(const Variable::State& s, const Tensor& v) {
  if (v.dtype() != s.value.dtype() || v.shape() != s.value.shape())
    throw std::invalid_argument("Variable '" + s.name + "'.assign: expected a value of shape " +
                                s.value.shape().str() + " and dtype " + dtype_name(s.value.dtype()) +
                                ", but received shape " + v.shape().str() + " and dtype " +
                                dtype_name(v.dtype()));
  if (v.device() != s.value.device())
    throw std::invalid_argument("Variable '" + s.name + "'.assign: the variable lives on " +
                                s.value.device().str() + " but the value is on " + v.device().str());
}

void infer_assign(OpCall& c) {
  check_assignable(resource_state(c), c.in(0));
  c.num_outputs = 0;
}

void assign_kernel(OpCall& c) {
  Variable::State& s = resource_state(c);
  Tensor fresh = view_as(c.in(0), c.in(0).shape());  // a fresh handle: no tape tracks the new value
  if (remat::t_log) {  // the value before, for a rematerialized call's second run
    const Tensor* scoped = stateless::active() ? stateless::find(&s) : nullptr;
    remat::note_access(Variable::from_resource(c.attrs.resources[0]), scoped ? *scoped : s.value);
  }
  if (stateless::active()) stateless::assign(c.attrs.resources[0], fresh);  // a graph run in a StatelessScope
  else s.value = std::move(fresh);
}
}  // namespace

void define_variable_ops() {
  define_op(OpId::ReadVariable, infer_read, /*is_view=*/true);
  set_op_flags(OpId::ReadVariable, kReadsState);
  define_op(OpId::AssignVariable, infer_assign);
  for (size_t k = 0; k < Device::kNumKinds; ++k) register_kernel(OpId::AssignVariable, Device::Kind(k), assign_kernel);
  set_op_flags(OpId::AssignVariable, kWritesState);
}

Variable::Variable(const Tensor& initial_value, std::string name, bool trainable) {
  if (!initial_value.defined())
    throw std::invalid_argument("Variable '" + name + "': the initial value is undefined");
  if (initial_value.dtype() == DType::string)
    throw std::invalid_argument("Variable '" + name + "': variables of dtype string are not supported "
                                "(string tensors are values only)");
  if (!tracing::variable_creation_allowed())
    throw std::invalid_argument(
        "Variable '" + name + "': a traced function may create variables only the first time it is "
        "traced (create them outside the function, or on its first call)");
  // Made inside a traced function (first trace only): the initial value is computed now,
  // once, as TensorFlow lifts variable initialization out of the graph.
  const Tensor init = tracing::t_tracer ? tracing::evaluate(initial_value, ("Variable '" + name + "'").c_str())
                                        : initial_value;
  // Placed by a DeviceScope or a non-CPU default device (a slot made like a GPU variable
  // stays with it when neither applies).
  const Device place = current_device();
  const Tensor placed = (place != init.device() && (!place.is_cpu() || in_device_scope())) ? init.to(place) : init;
  // A fresh handle, so the variable's identity on tapes (and in traces) is its own.
  state_ = std::make_shared<State>(view_as(placed, placed.shape()), std::move(name), trainable);
}

void move_variable(Variable& v, Device device) {
  if (tracing::t_tracer)
    throw std::invalid_argument("move_variable: cannot move variable '" + v.name() + "' to " + device.str() +
                                " inside a traced function");
  check_device_exists(device, "move_variable");
  Tensor& value = v.value_for_update();
  if (value.device() != device) value = value.to(device);
}

const Tensor& Variable::current() const {
  const Variable::State& s = state_of(state_, "value");
  if (stateless::active())
    if (const Tensor* scoped = stateless::find(state_.get())) return *scoped;
  const Tensor* traced = tracing::t_tracer ? tracing::variable_value(state_.get()) : nullptr;
  return traced ? *traced : s.value;
}

namespace {
// The value, read through a ReadVariable op while tracing (the graph then reads the
// variable when it runs; reads after an assignment in the same trace use what was assigned).
const Tensor& traced_read(const std::shared_ptr<Variable::State>& state, const char* what) {
  Variable::State& s = state_of(state, what);
  if (stateless::active())
    if (const Tensor* scoped = stateless::find(state.get())) return *scoped;  // the scope's value, even in a trace
  if (!tracing::t_tracer) return s.value;
  if (const Tensor* v = tracing::variable_value(state.get())) return *v;
  Attrs a;
  a.resources = {state};
  dispatch(OpId::ReadVariable, {}, a);
  return *tracing::variable_value(state.get());
}
}  // namespace

const Tensor& Variable::value() const {
  const Tensor& v = traced_read(state_, "value");
  remat::note(*this, v);  // a rematerialized call's second run reads the same
  // A StatelessScope's value is the caller's tensor: tapes watch it if the caller says so.
  if (!stateless::active() || !stateless::find(state_.get())) autodiff::on_variable_read(*this, v);
  if (const Tensor* cast = autocast::cast_read(*this, v)) return *cast;
  return v;
}

void autocast::set_enabled(const Variable& v, bool enabled) {
  state_of(std::static_pointer_cast<Variable::State>(v.resource()), "set_autocast").autocast = enabled;
}
bool autocast::enabled(const Variable& v) {
  return state_of(std::static_pointer_cast<Variable::State>(v.resource()), "autocast").autocast;
}
void variable_options::set_overwrite_with_gradient(const Variable& v, bool on) {
  state_of(std::static_pointer_cast<Variable::State>(v.resource()), "overwrite_with_gradient").overwrite_with_gradient = on;
}
bool variable_options::overwrite_with_gradient(const Variable& v) {
  return state_of(std::static_pointer_cast<Variable::State>(v.resource()), "overwrite_with_gradient")
      .overwrite_with_gradient;
}

std::shared_ptr<Resource> Variable::resource() const { return state_; }

Variable Variable::from_resource(const std::shared_ptr<Resource>& r) {
  Variable v;
  v.state_ = std::dynamic_pointer_cast<State>(r);
  if (!v.state_) throw std::logic_error("Variable.from_resource: the resource is not a variable");
  return v;
}

Tensor& Variable::value_for_update() {
  State& s = state_of(state_, "value_for_update");
  // In a StatelessScope the update goes to the scope's value (a copy of the variable's).
  Tensor& value = stateless::active() ? stateless::for_update(state_, s.value) : s.value;
  const auto& impl = value.impl();
  if (impl.use_count() > 1 || impl->storage().use_count() > 1 || impl->offset() != 0) {
    Tensor copy = empty(value.shape(), value.dtype(), value.device());
    if (value.device().is_cpu()) {
      if (value.nbytes()) std::memcpy(copy.raw_mutable_data(), value.raw_data(), value.nbytes());
    } else {
      autodiff::SuspendRecording no_record;
      copy = ops::add(value, ops::zeros_like(value));  // a fresh buffer on the device
    }
    value = copy;
  }
  return value;
}

const std::string& Variable::name() const { return state_of(state_, "name").name; }
const std::string& Variable::path() const {
  const State& s = state_of(state_, "path");
  return s.path.empty() ? s.name : s.path;
}
void Variable::set_path(std::string path) { state_of(state_, "set_path").path = std::move(path); }
const Variable::Constraint& Variable::constraint() const { return state_of(state_, "constraint").constraint; }
void Variable::set_constraint(Constraint c) { state_of(state_, "set_constraint").constraint = std::move(c); }
bool Variable::trainable() const { return state_of(state_, "trainable").trainable; }
void Variable::set_trainable(bool t) { state_of(state_, "trainable").trainable = t; }

void Variable::assign(const Tensor& v) {
  State& s = state_of(state_, "assign");
  if (!v.defined()) throw std::invalid_argument("Variable '" + s.name + "'.assign: the value is undefined");
  Attrs a;
  a.resources = {state_};
  // A value from another device is copied to the variable's (eagerly; a traced graph's
  // values are on the devices it was traced with).
  const bool elsewhere = !tracing::t_tracer && v.device() != s.value.device();
  const Tensor value = elsewhere ? v.to(s.value.device()) : v;
  if (remat::t_log) remat::note_access(*this, traced_read(state_, "assign"));  // the value before
  if (stateless::active()) {  // the scope takes the value; the variable keeps its own
    check_assignable(s, value);
    stateless::assign(state_, value);
    return;
  }
  dispatch(OpId::AssignVariable, {value}, a);
}

// A delta from another device (a host constant such as a step counter's 1 added to a
// variable on a GPU) goes to the variable's device first, as assign copies a value. A
// value of the active trace has no data to copy yet: it stays, and the op names both
// devices.
namespace {
Tensor on_device_of(const Tensor& delta, const Tensor& value) {
  const bool move = delta.defined() && delta.device() != value.device() && !tracing::is_traced(delta);
  return move ? delta.to(value.device()) : delta;
}
}  // namespace

void Variable::assign_add(const Tensor& delta) {
  autodiff::SuspendRecording no_record;
  const Tensor value = traced_read(state_, "assign_add");
  assign(ops::add(value, on_device_of(delta, value)));
}

void Variable::assign_sub(const Tensor& delta) {
  autodiff::SuspendRecording no_record;
  const Tensor value = traced_read(state_, "assign_sub");
  assign(ops::subtract(value, on_device_of(delta, value)));
}

std::ostream& operator<<(std::ostream& os, const Variable& v) {
  if (!v.defined()) return os << "<Variable undefined>";
  return os << "<Variable '" << v.name() << "' shape=" << v.shape().str()
            << " dtype=" << dtype_name(v.dtype()) << ", numpy=\n" << v.value().values_str() << ">";
}

}  // namespace keras::core
