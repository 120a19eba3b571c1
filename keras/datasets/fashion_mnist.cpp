#include "keras/datasets/fashion_mnist.h"

#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace keras::datasets::fashion_mnist {

const char* const class_names[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                     "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

namespace {
constexpr size_t kMaxFileBytes = size_t(1) << 31;  // far above the 47 MB of the real files

std::vector<unsigned char> read_all(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("fashion_mnist: cannot open '" + path + "'");
  std::vector<unsigned char> out;
  unsigned char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) {
    out.insert(out.end(), buf, buf + n);
    if (out.size() > kMaxFileBytes) {
      gzclose(f);
      throw std::runtime_error("fashion_mnist: '" + path + "' decompresses to more than 2 GiB");
    }
  }
  int err = 0;
  const char* msg = n < 0 ? gzerror(f, &err) : nullptr;
  std::string what = msg ? msg : "";
  gzclose(f);
  if (n < 0) throw std::runtime_error("fashion_mnist: cannot read '" + path + "': " + what);
  return out;
}

uint32_t be32(const unsigned char* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}
}  // namespace

core::Tensor read_idx(const std::string& path) {
  std::vector<unsigned char> b = read_all(path);
  if (b.size() < 4) throw std::runtime_error("fashion_mnist: '" + path + "' is too short for an IDX header");
  if (b[0] != 0 || b[1] != 0 || b[2] != 0x08)
    throw std::runtime_error("fashion_mnist: '" + path + "' is not an unsigned-byte IDX file (bad magic number)");
  const size_t rank = b[3];
  if (rank < 1 || rank > 4) throw std::runtime_error("fashion_mnist: '" + path + "' has " + std::to_string(rank) + " dimensions (expected 1 to 4)");
  if (b.size() < 4 + 4 * rank) throw std::runtime_error("fashion_mnist: '" + path + "' is truncated in its header");
  std::vector<int64_t> dims;
  size_t count = 1;
  for (size_t i = 0; i < rank; ++i) {
    uint32_t d = be32(&b[4 + 4 * i]);
    if (d > 0 && count > kMaxFileBytes / d)
      throw std::runtime_error("fashion_mnist: '" + path + "' declares an impossibly large shape");
    count *= d;
    dims.push_back(int64_t(d));
  }
  const size_t header = 4 + 4 * rank;
  if (b.size() - header != count)
    throw std::runtime_error("fashion_mnist: '" + path + "' holds " + std::to_string(b.size() - header) +
                             " bytes of data but its header declares " + std::to_string(count));
  return core::from_buffer(b.data() + header, core::Shape(dims), core::DType::uint8);
}

std::pair<Split, Split> load_data(const std::string& directory) {
  std::string dir = directory;
  if (dir.empty()) {
    const char* env = std::getenv("FASHION_MNIST_DIR");
    dir = env && *env ? env : "/usr/share/datasets/fashion-mnist";
  }
  auto split = [&](const std::string& name) {
    Split s{read_idx(dir + "/" + name + "-images-idx3-ubyte.gz"), read_idx(dir + "/" + name + "-labels-idx1-ubyte.gz")};
    if (s.x.rank() != 3 || s.y.rank() != 1 || s.x.shape()[0] != s.y.shape()[0])
      throw std::runtime_error("fashion_mnist: " + name + " images " + s.x.shape().str() + " and labels " +
                               s.y.shape().str() + " do not match");
    return s;
  };
  return {split("train"), split("t10k")};
}

}  // namespace keras::datasets::fashion_mnist
