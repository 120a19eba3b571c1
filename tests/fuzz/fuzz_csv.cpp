// fuzz_csv.cpp - libFuzzer target: the CSV reader on arbitrary text. The first byte picks
// the options (delimiter, header, dtype, missing-value and string-column policies), the
// rest is the text. Errors the reader reports are expected; any other exception or crash
// is a finding.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "keras/data/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const unsigned k = data[0];
  using keras::data::Missing;
  using keras::data::StringColumns;
  static const keras::core::DType dtypes[] = {keras::core::DType::float32, keras::core::DType::float64, keras::core::DType::int32,
                                       keras::core::DType::int64,   keras::core::DType::uint8,   keras::core::DType::bool_};
  keras::data::CsvOptions o;
  o.delimiter = (k & 1) ? ';' : ',';
  o.header = !(k & 2);
  o.default_dtype = dtypes[(k >> 2) % 6];
  o.missing = (k & 32) ? Missing::drop_row : (k & 64) ? Missing::raise : Missing::fill;
  o.string_columns = (k & 128) ? StringColumns::skip : StringColumns::raise;
  o.skip_rows = (k >> 4) & 1;
  try {
    keras::data::parse_csv(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), o, "fuzz");
  } catch (const std::runtime_error&) {
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
