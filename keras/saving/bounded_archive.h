// bounded_archive.h - (private: included only by keras/saving/*.cpp) a cereal input
// archive over bytes in memory that checks every read and every size tag against the
// bytes left before cereal allocates, so a hostile file can neither read out of bounds
// nor make a string or vector allocate more than the bytes it still holds.
#pragma once
#include <cereal/cereal.hpp>
#include <cereal/types/string.hpp>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "keras/saving/format.h"

namespace keras::saving::format {

class BoundedInputArchive : public cereal::InputArchive<BoundedInputArchive, cereal::AllowEmptyClassElision> {
 public:
  // `where` names the file and section in messages.
  BoundedInputArchive(std::string_view bytes, std::string where)
      : cereal::InputArchive<BoundedInputArchive, cereal::AllowEmptyClassElision>(this),
        bytes_(bytes),
        where_(std::move(where)) {}

  void loadBinary(void* data, std::size_t size) {
    require(size, "data");
    std::memcpy(data, bytes_.data() + pos_, size);
    pos_ += size;
  }
  // A view of the next `size` bytes, consumed.
  std::string_view take(std::size_t size, const char* what) {
    require(size, what);
    std::string_view v = bytes_.substr(pos_, size);
    pos_ += size;
    return v;
  }
  // A size read from the file, before cereal resizes a container to it: each element
  // takes at least one byte, so more elements than bytes left means a corrupt size.
  void check_size(uint64_t size, std::size_t at) const {
    if (size > remaining())
      throw FormatError(where_ + ": a length of " + std::to_string(size) + " at offset " + std::to_string(at) +
                        " exceeds the " + std::to_string(remaining()) + " bytes left (truncated or corrupted file)");
  }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return bytes_.size() - pos_; }
  std::string_view bytes() const { return bytes_; }
  const std::string& where() const { return where_; }

  [[noreturn]] void fail(const std::string& what) const {
    throw FormatError(where_ + ": " + what + " (at offset " + std::to_string(pos_) + ")");
  }

 private:
  void require(std::size_t size, const char* what) const {
    if (size > remaining())
      throw FormatError(where_ + ": expected " + std::to_string(size) + " bytes of " + what + " at offset " +
                        std::to_string(pos_) + ", but only " + std::to_string(remaining()) +
                        " remain (truncated or corrupted file)");
  }
  std::string_view bytes_;
  std::size_t pos_ = 0;
  std::string where_;
};

template <class T>
inline typename std::enable_if<std::is_arithmetic<T>::value, void>::type CEREAL_LOAD_FUNCTION_NAME(
    BoundedInputArchive& ar, T& t) {
  ar.loadBinary(std::addressof(t), sizeof(t));
}

template <class T>
inline void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, cereal::NameValuePair<T>& t) {
  ar(t.value);
}

template <class T>
inline void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, cereal::SizeTag<T>& t) {
  uint64_t size = 0;
  const std::size_t at = ar.position();
  ar.loadBinary(&size, sizeof(size));
  ar.check_size(size, at);
  t.size = static_cast<std::remove_reference_t<T>>(size);
}

template <class T>
inline void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, cereal::BinaryData<T>& bd) {
  ar.loadBinary(bd.data, static_cast<std::size_t>(bd.size));
}

}  // namespace keras::saving::format

CEREAL_REGISTER_ARCHIVE(keras::saving::format::BoundedInputArchive)
