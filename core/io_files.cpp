// io_files.cpp - tf.io.read_file / write_file (core/image_io.h).
#include <fstream>
#include <stdexcept>

#include "core/compression.h"
#include "core/image_io.h"

namespace keras::core::io {

Tensor read_file(const std::string& path) {
  return constant(compression::read_file(path, uint64_t(1) << 40, "read_file: '" + path + "'"));
}

void write_file(const std::string& path, const Tensor& contents) {
  if (!contents.defined() || contents.dtype() != DType::string || contents.rank() != 0)
    throw std::invalid_argument("write_file: expected the contents as a string scalar, but received " +
                                (contents.defined() ? std::string(dtype_name(contents.dtype())) + " " + contents.shape().str()
                                                    : std::string("an undefined tensor")));
  const std::string bytes = contents.item<std::string>();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("write_file: cannot open '" + path + "' for writing");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw std::runtime_error("write_file: writing '" + path + "' failed");
}

}  // namespace keras::core::io
