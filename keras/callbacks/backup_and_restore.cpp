#include "keras/callbacks/backup_and_restore.h"

#include <charconv>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "core/ops.h"
#include "keras/models/model.h"
#include "keras/saving/saving.h"

namespace keras::callbacks {
namespace {

// The model and its sublayers, depth first, each once.
void collect_layers(layers::Layer* l, std::vector<layers::Layer*>& out, std::set<const layers::Layer*>& seen) {
  if (!seen.insert(l).second) return;
  out.push_back(l);
  for (const auto& s : l->sublayers()) collect_layers(s.get(), out, seen);
}

std::vector<layers::Layer*> all_layers(Model& m) {
  std::vector<layers::Layer*> out;
  std::set<const layers::Layer*> seen;
  collect_layers(&m, out, seen);
  return out;
}

// uint64 values travel as decimal strings (Config integers are signed).
Value u64(uint64_t v) { return Value(std::to_string(v)); }

}  // namespace

BackupAndRestore::BackupAndRestore(std::string backup_dir, const BackupAndRestoreOptions& o)
    : backup_dir_(std::move(backup_dir)), o_(o) {
  if (backup_dir_.empty())
    throw std::invalid_argument("BackupAndRestore: expected a backup_dir, but received an empty string");
}

std::string BackupAndRestore::checkpoint_path() const {
  return (std::filesystem::path(backup_dir_) / "latest.ckpt").string();
}

void BackupAndRestore::on_train_begin(const Logs&) {
  restored_.reset();
  current_epoch_ = 0;
  last_batch_seen_ = -1;
  batches_since_save_ = 0;
  std::error_code ec;
  if (std::filesystem::exists(checkpoint_path(), ec)) restore();
}

void BackupAndRestore::restore() {
  const std::string path = checkpoint_path();
  Model& m = *model();
  if (!m.built())
    throw std::invalid_argument("BackupAndRestore: to restore the backup '" + path + "', the model '" + m.name() +
                                "' must be built before fit() (give its first layer an input shape, or call it once)");
  const Config meta = saving::load_checkpoint(m, path);
  auto field = [&](const char* key) -> const Value& {
    const Value* v = meta.is_object() ? meta.find(key) : nullptr;
    if (!v)
      throw std::runtime_error("BackupAndRestore: the backup '" + path + "' has no '" + key +
                               "' in its metadata (not written by BackupAndRestore?)");
    return *v;
  };
  auto as_u64 = [&](const Value& v, const std::string& what) {
    uint64_t out = 0;
    const std::string& s = v.type() == Value::Type::string ? v.as_string() : std::string();
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size())
      throw std::runtime_error("BackupAndRestore: the backup '" + path + "' has a malformed '" + what +
                               "': expected an unsigned integer as a string, but received " + v.to_json());
    return out;
  };
  const int64_t epoch = field("epoch").as_int(), step = field("step").as_int();
  if (epoch < 0 || epoch > int64_t(1) << 30 || step < 0)
    throw std::runtime_error("BackupAndRestore: the backup '" + path + "' has an invalid position: epoch " +
                             std::to_string(epoch) + ", step " + std::to_string(step));
  const uint64_t shuffle_seed = as_u64(field("shuffle_seed"), "shuffle_seed");
  const uint64_t generator = as_u64(field("random_generator_state"), "random_generator_state");
  std::vector<layers::Layer*> ls = all_layers(m);
  std::vector<uint64_t> states(ls.size(), 0);
  for (const Value& e : field("seed_generators").as_list()) {
    const int64_t i = e.at("index").as_int();
    const std::string& cls = e.at("class_name").as_string();
    if (i < 0 || i >= int64_t(ls.size()) || ls[size_t(i)]->class_name() != cls)
      throw std::runtime_error("BackupAndRestore: the backup '" + path + "' has the seed generator of a " + cls +
                               " at layer index " + std::to_string(i) + ", but the model '" + m.name() +
                               "' has " + (i >= 0 && i < int64_t(ls.size()) ? "a " + ls[size_t(i)]->class_name()
                                                                            : std::string("no layer")) + " there");
    states[size_t(i)] = as_u64(e.at("state"), "seed_generators");
  }
  for (size_t i = 0; i < ls.size(); ++i) ls[i]->set_seed_generator_state(states[i]);
  core::ops::set_random_seed(generator);
  m.fit_start = {.epoch = int(epoch), .step = step, .shuffle_seed = shuffle_seed};
  restored_ = std::make_pair(int(epoch), step);
  last_batch_seen_ = step - 1;  // the backup was made after that batch: count from there
  batches_since_save_ = 0;
}

void BackupAndRestore::backup(int epoch, int64_t step) {
  if (!is_chief()) return;  // distributed: the chief writes the backup every replica restores
  Model& m = *model();
  Config meta = Value::object();
  meta["epoch"] = epoch;
  meta["step"] = static_cast<long long>(step);
  meta["shuffle_seed"] = u64(m.fit_start.shuffle_seed);
  meta["random_generator_state"] = u64(core::ops::random_generator_state());
  std::vector<Value> gens;
  std::vector<layers::Layer*> ls = all_layers(m);
  for (size_t i = 0; i < ls.size(); ++i) {
    const uint64_t s = ls[i]->seed_generator_state();
    if (s == 0) continue;
    Config g = Value::object();
    g["index"] = static_cast<long long>(i);
    g["class_name"] = ls[i]->class_name();
    g["name"] = ls[i]->name();
    g["state"] = u64(s);
    gens.push_back(g);
  }
  meta["seed_generators"] = Value(gens);
  std::error_code ec;
  std::filesystem::create_directories(backup_dir_, ec);
  if (ec) throw std::runtime_error("BackupAndRestore: cannot create the backup_dir '" + backup_dir_ + "': " + ec.message());
  saving::save_checkpoint(m, checkpoint_path(), meta);
}

void BackupAndRestore::on_epoch_begin(int epoch, const Logs&) { current_epoch_ = epoch; }

void BackupAndRestore::on_train_batch_end(int64_t batch, const Logs&) {
  if (o_.save_freq.per_epoch()) return;
  batches_since_save_ += batch <= last_batch_seen_ ? batch + 1 : batch - last_batch_seen_;  // a new epoch restarts at 0
  last_batch_seen_ = batch;
  if (batches_since_save_ < o_.save_freq.batches) return;
  batches_since_save_ = 0;
  auto steps = params().find("steps");
  if (steps != params().end() && double(batch + 1) >= steps->second) backup(current_epoch_ + 1, 0);  // the epoch is done
  else backup(current_epoch_, batch + 1);
}

void BackupAndRestore::on_epoch_end(int epoch, const Logs&) {
  if (o_.save_freq.per_epoch()) backup(epoch + 1, 0);
}

void BackupAndRestore::on_train_end(const Logs&) {
  if (!o_.delete_checkpoint || !is_chief()) return;
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string name = fs::path(checkpoint_path()).filename().string();
  // The checkpoint, and temporary files a killed save left (their names contain it).
  std::vector<fs::path> doomed;
  for (fs::directory_iterator it(backup_dir_, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename().string().find(name) != std::string::npos) doomed.push_back(it->path());
  for (const fs::path& p : doomed) fs::remove(p, ec);
  fs::remove(backup_dir_, ec);  // only when empty
}

}  // namespace keras::callbacks
