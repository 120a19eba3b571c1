#include "keras/datasets/cifar.h"

#include <cstring>
#include <map>
#include <stdexcept>
#include <vector>

#include "core/ops.h"
#include "core/tensor_impl.h"
#include "keras/datasets/cache.h"
#include "keras/datasets/dataset_files.h"
#include "keras/datasets/unpickle.h"
#include "keras/settings.h"

namespace keras::datasets {
namespace {

using core::DType;

// One CIFAR family: its folder in the archive, its batch files and where Keras keeps them.
struct Layout {
  std::string folder;                    // "cifar-10-batches-py"
  std::vector<std::string> train, test;  // batch file names
  std::string archive, origin;           // "cifar-10-python.tar.gz" and its address
  std::string keras_dir;                 // "cifar-10-batches-py-target"
};

// The batch files' bytes, from a folder or an archive (see cifar.h).
std::map<std::string, std::string> read_batches(const Layout& l, const std::string& path, const std::string& who) {
  std::vector<std::string> names = l.train;
  names.insert(names.end(), l.test.begin(), l.test.end());
  auto from_folder = [&](const std::string& dir) {
    std::map<std::string, std::string> out;
    for (const std::string& n : names) {
      const std::string f = dir + "/" + n;
      if (!detail::exists(f))
        throw std::runtime_error(who + ": '" + f + "' is missing (the folder holds part of " + l.folder +
                                 "; keras-cpp downloads nothing: get " + l.origin + ")");
      out[n] = detail::read_file(f, who);
    }
    return out;
  };
  auto from_archive = [&](const std::string& file) {
    std::vector<std::string> wanted;
    for (const std::string& n : names) wanted.push_back(l.folder + "/" + n);
    std::map<std::string, std::string> found = detail::read_tar_members(file, wanted, who), out;
    for (const std::string& n : names) {
      auto it = found.find(l.folder + "/" + n);
      if (it == found.end())
        throw std::runtime_error(who + ": the archive '" + file + "' has no " + l.folder + "/" + n);
      out[n] = std::move(it->second);
    }
    return out;
  };
  auto is_dir = [](const std::string& p) { return detail::exists(p + "/."); };
  auto from = [&](const std::string& p) {
    if (is_dir(p)) return from_folder(is_dir(p + "/" + l.folder) ? p + "/" + l.folder : p);
    return from_archive(p);
  };
  if (!path.empty()) {
    if (!detail::exists(path)) throw std::runtime_error(who + ": '" + path + "' does not exist");
    return from(path);
  }
  const std::string cache = cache_dir();
  const std::vector<std::string> candidates = {cache + "/" + l.keras_dir + "/" + l.folder, cache + "/" + l.folder,
                                               cache + "/" + l.keras_dir + "_archive", cache + "/" + l.archive};
  for (const std::string& c : candidates)
    if (detail::exists(c)) return from(c);
  std::string looked;
  for (const std::string& c : candidates) looked += (looked.empty() ? "'" : ", '") + c + "'";
  throw std::runtime_error(who + ": no CIFAR files in Keras's dataset cache (looked for " + looked +
                           "; keras-cpp downloads nothing: download " + l.origin + " into '" + cache +
                           "', or set KERAS_HOME, or pass the folder or the archive)");
}

// One batch file: its images (n, 3, 32, 32) uint8 and the labels under label_key.
struct Batch {
  core::Tensor x;
  std::vector<int64_t> y;
};

Batch decode(const std::string& bytes, const std::string& name, const std::string& label_key, const std::string& who) {
  const std::string ctx = who + ": " + name;
  pickle::Ref d = pickle::load(bytes, ctx);
  if (d->kind != pickle::Kind::dict) throw std::runtime_error(ctx + ": expected a pickled dict");
  const pickle::Object* data = d->find("data");
  const pickle::Object* labels = d->find(label_key);
  if (!data) throw std::runtime_error(ctx + ": the batch has no 'data'");
  if (!labels) throw std::runtime_error(ctx + ": the batch has no '" + label_key + "'");
  core::Tensor flat = pickle::to_tensor(*data, ctx + ": data");
  if (flat.dtype() != DType::uint8 || flat.rank() != 2 || flat.shape()[1] != 3 * 32 * 32)
    throw std::runtime_error(ctx + ": expected data of uint8 (n, 3072), got " +
                             std::string(core::dtype_name(flat.dtype())) + " " + flat.shape().str());
  Batch b{core::ops::reshape(flat, {flat.shape()[0], 3, 32, 32}), pickle::to_ints(*labels, ctx + ": " + label_key)};
  if (static_cast<int64_t>(b.y.size()) != flat.shape()[0])
    throw std::runtime_error(ctx + ": " + std::to_string(flat.shape()[0]) + " images but " +
                             std::to_string(b.y.size()) + " labels");
  return b;
}

// The batches joined: x in the configured image layout, y (n, 1) of `ydtype`.
Split join(const std::vector<Batch>& batches, DType ydtype) {
  int64_t n = 0;
  for (const Batch& b : batches) n += b.x.shape()[0];
  const bool last = config::image_data_format() == "channels_last";
  core::Tensor x = core::empty(last ? core::Shape({n, 32, 32, 3}) : core::Shape({n, 3, 32, 32}), DType::uint8);
  std::vector<int64_t> y;
  auto* dst = x.mutable_data<uint8_t>();
  for (const Batch& b : batches) {
    const uint8_t* src = b.x.data<uint8_t>();
    const int64_t m = b.x.shape()[0];
    if (last) {
      for (int64_t i = 0; i < m; ++i)
        for (int64_t c = 0; c < 3; ++c)
          for (int64_t p = 0; p < 1024; ++p) dst[i * 3072 + p * 3 + c] = src[i * 3072 + c * 1024 + p];
    } else {
      std::memcpy(dst, src, static_cast<std::size_t>(m) * 3072);
    }
    dst += m * 3072;
    y.insert(y.end(), b.y.begin(), b.y.end());
  }
  core::Tensor labels = core::empty(core::Shape({n, 1}), ydtype);
  for (int64_t i = 0; i < n; ++i) {
    if (ydtype == DType::uint8)
      labels.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(y[i]);  // as NumPy's uint8 array
    else
      labels.mutable_data<int64_t>()[i] = y[i];
  }
  return {x, labels};
}

std::pair<Split, Split> load(const Layout& l, const std::string& label_key, DType ydtype, const std::string& path,
                             const std::string& who) {
  std::map<std::string, std::string> files = read_batches(l, path, who);
  std::vector<Batch> train, test;
  for (const std::string& n : l.train) train.push_back(decode(files[n], n, label_key, who));
  for (const std::string& n : l.test) test.push_back(decode(files[n], n, label_key, who));
  return {join(train, ydtype), join(test, ydtype)};
}

}  // namespace

namespace cifar10 {
const char* const class_names[10] = {"airplane", "automobile", "bird",  "cat",  "deer",
                                     "dog",      "frog",       "horse", "ship", "truck"};

std::pair<Split, Split> load_data(const std::string& path) {
  static const Layout l{"cifar-10-batches-py",
                        {"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"},
                        {"test_batch"},
                        "cifar-10-python.tar.gz",
                        "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                        "cifar-10-batches-py-target"};
  return load(l, "labels", DType::uint8, path, "cifar10.load_data");
}
}  // namespace cifar10

namespace cifar100 {
std::pair<Split, Split> load_data(const std::string& label_mode, const std::string& path) {
  if (label_mode != "fine" && label_mode != "coarse")
    throw std::invalid_argument(
        "cifar100.load_data: `label_mode` must be one of `\"fine\"`, `\"coarse\"`. Received: "
        "label_mode=" +
        label_mode + ".");
  static const Layout l{"cifar-100-python",
                        {"train"},
                        {"test"},
                        "cifar-100-python.tar.gz",
                        "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
                        "cifar-100-python-target"};
  return load(l, label_mode + "_labels", DType::int64, path, "cifar100.load_data");
}
}  // namespace cifar100

}  // namespace keras::datasets
