#include "core/raw_codec.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/dispatch.h"

namespace keras::core::io {

Tensor decode_raw(const Tensor& input, DType out_type, const DecodeRawOptions& o) {
  auto invalid = [](const std::string& what) { throw std::invalid_argument("decode_raw: " + what); };
  if (!input.defined() || input.dtype() != DType::string)
    invalid("expected a string tensor, but received " +
            (input.defined() ? std::string("dtype ") + dtype_name(input.dtype()) : std::string("an undefined tensor")));
  if (out_type == DType::string) invalid("expected out_type to be a number or bool dtype, but received string");
  tracing::check_not_tracing("decode_raw");
  const int64_t size = int64_t(dtype_size(out_type));
  const std::vector<std::string> in = input.to_vector<std::string>();
  int64_t width = 0;  // bytes per element
  if (o.fixed_length) {
    if (*o.fixed_length < 0 || *o.fixed_length % size != 0)
      invalid("fixed_length (" + std::to_string(*o.fixed_length) +
              ") must be a non-negative multiple of the size of out_type " + dtype_name(out_type) + " (" +
              std::to_string(size) + ")");
    width = *o.fixed_length;
  } else if (!in.empty()) {
    width = int64_t(in[0].size());
    for (size_t i = 1; i < in.size(); ++i)
      if (int64_t(in[i].size()) != width)
        invalid("expected the input strings to all be the same size (element 0 has " + std::to_string(width) +
                " bytes), but element " + std::to_string(i) + " has " + std::to_string(in[i].size()));
    if (width % size != 0)
      invalid("Input to DecodeRaw has length " + std::to_string(width) + " that is not a multiple of " +
              std::to_string(size) + ", the size of " + dtype_name(out_type));
  }
  std::vector<unsigned char> bytes(in.size() * size_t(width), 0);
  for (size_t i = 0; i < in.size(); ++i)
    std::copy_n(in[i].data(), std::min<size_t>(in[i].size(), size_t(width)),
                bytes.begin() + std::ptrdiff_t(i * size_t(width)));
  if (!o.little_endian) {  // swap each number (each part of a complex one)
    const size_t part = out_type == DType::complex64 ? 4 : out_type == DType::complex128 ? 8 : size_t(size);
    for (size_t at = 0; at + part <= bytes.size(); at += part)
      std::reverse(bytes.begin() + std::ptrdiff_t(at), bytes.begin() + std::ptrdiff_t(at + part));
  }
  if (out_type == DType::bool_)
    for (unsigned char& b : bytes) b = b != 0;
  std::vector<int64_t> dims = input.shape().dims();
  dims.push_back(width / size);
  return from_buffer(bytes.data(), out_type, Shape(dims), out_type);
}

}  // namespace keras::core::io
