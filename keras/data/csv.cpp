// csv.cpp - the CSV reader: one pass tokenizes each record (csv_tokenizer.cpp: RFC 4180
// quoting; LF, CRLF or CR line ends; UTF-16 refused) and parses its selected fields
// straight into per-column buffers; the tensors are built at
// the end, once string columns (StringColumns::skip) and dropped rows are known.
#include "keras/data/csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>
#include <stdexcept>

#include "core/compression.h"
#include "core/ops.h"
#include "keras/data/csv_tokenizer.h"

namespace keras::data {
namespace {

using core::DType;
using core::Tensor;
using csv_detail::Field;
using csv_detail::quote;
using csv_detail::Tokenizer;

// Far above any CSV a program reads whole into memory.
constexpr uint64_t kMaxBytes = uint64_t(1) << 36;

std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < 40; ++i) out += (i ? ", " : "") + quote(names[i]);
  if (names.size() > 40) out += ", ... (" + std::to_string(names.size()) + " columns)";
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// One result column while parsing.
struct Column {
  std::string name;
  std::size_t index = 0;  // 0-based position in the file's records
  DType dtype = DType::float32;
  bool named = false;  // selected by name, so never skipped as a string column
  bool has_default = false;
  double fill = 0;
  bool dead = false;  // a string column under StringColumns::skip
  std::vector<double> f;   // float columns
  std::vector<int64_t> i;  // integer and bool columns
  std::vector<uint8_t> na;  // Missing::drop_row: the rows with a missing value
};

bool parse_int(std::string_view t, int64_t& v) {
  if (!t.empty() && t.front() == '+' && (t.size() < 2 || t[1] != '-')) t.remove_prefix(1);
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  return ec == std::errc() && p == t.data() + t.size() && !t.empty();
}

// 0: parsed; 1: not a number; 2: out of range (overflow; an underflow reads as the
// nearest value, zero or subnormal).
int parse_double(std::string_view t, double& v) {
  if (!t.empty() && t.front() == '+' && (t.size() < 2 || t[1] != '-')) t.remove_prefix(1);
  if (t.empty()) return 1;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (p != t.data() + t.size()) return 1;
  if (ec == std::errc::result_out_of_range) {
    v = std::strtod(std::string(t).c_str(), nullptr);
    return std::isinf(v) ? 2 : 0;
  }
  return ec == std::errc() ? 0 : 1;
}

bool is_integer_text(std::string_view t) {
  if (!t.empty() && (t.front() == '-' || t.front() == '+')) t.remove_prefix(1);
  return !t.empty() && std::all_of(t.begin(), t.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

bool integral_in_range(double v, DType d) {
  if (!std::isfinite(v) || v != std::floor(v)) return false;
  switch (d) {
    case DType::int32: return v >= -2147483648.0 && v <= 2147483647.0;
    case DType::int64: return v >= -9223372036854775808.0 && v < 9223372036854775808.0;
    case DType::uint8: return v >= 0 && v <= 255;
    case DType::int8: return v >= -128 && v <= 127;
    case DType::int16: return v >= -32768 && v <= 32767;
    case DType::uint16: return v >= 0 && v <= 65535;
    case DType::uint32: return v >= 0 && v <= 4294967295.0;
    case DType::bool_: return v == 0 || v == 1;
    default: return true;
  }
}

class Parser {
 public:
  Parser(std::string_view text, const CsvOptions& o, const std::string& name,
         const std::string* also_named)
      : o_(o), ctx_("read_csv: '" + name + "'"), also_named_(also_named) {
    if (o.delimiter == '"' || o.delimiter == '\n' || o.delimiter == '\r')
      throw std::invalid_argument(ctx_ + ": the delimiter cannot be a quote or a line end "
                                  "(received " + quote(std::string_view(&o.delimiter, 1)) + ")");
    if (o.skip_rows < 0)
      throw std::invalid_argument(ctx_ + ": skip_rows must be >= 0 (received " +
                                  std::to_string(o.skip_rows) + ")");
    csv_detail::check_encoding(text, ctx_);
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // BOM
    int64_t line = 1;
    std::size_t pos = 0;
    for (int64_t k = 0; k < o.skip_rows && pos < text.size(); ++k, ++line) pos = csv_detail::next_line(text, pos);
    text_ = text.substr(pos);
    first_line_ = line;
    na_.insert(o.na_values.begin(), o.na_values.end());
  }

  CsvTable run() {
    Tokenizer tok(text_, o_.delimiter, first_line_, ctx_);
    std::vector<Field> rec;
    // Column names.
    std::vector<std::string> names = o_.column_names;
    int64_t header_line = 0;
    bool have_first = false;
    if (o_.header) {
      if (!tok.next(rec))
        throw std::runtime_error(ctx_ + ": the file has no header row (it is empty" +
                                 (o_.skip_rows > 0 ? " after " + std::to_string(o_.skip_rows) +
                                                         " skipped lines)" : ")"));
      header_line = rec[0].line;
      if (names.empty())
        for (const Field& f : rec) names.emplace_back(trim(f.text));
    } else if (names.empty()) {
      have_first = tok.next(rec);
      for (std::size_t k = 0; k < rec.size(); ++k) names.push_back(std::to_string(k));
    }
    std::map<std::string, std::size_t> index;
    for (std::size_t k = 0; k < names.size(); ++k) {
      auto [it, fresh] = index.emplace(names[k], k);
      if (!fresh) {
        const std::string what = "duplicate column name " + quote(names[k]) + " (columns " +
                                 std::to_string(it->second + 1) + " and " + std::to_string(k + 1) + ")";
        if (!o_.column_names.empty()) throw std::invalid_argument(ctx_ + ": column_names has a " + what);
        throw std::runtime_error(ctx_ + ": line " + std::to_string(header_line) + ": " + what);
      }
    }
    const std::string where =
        header_line ? " (the header at line " + std::to_string(header_line) + " has " + list_names(names) + ")"
                    : " (the columns are " + list_names(names) + ")";
    auto check_known = [&](const std::string& col, const char* option) {
      if (!index.count(col))
        throw std::invalid_argument(ctx_ + ": " + option + " names the column " + quote(col) +
                                    ", which the file does not have" + where);
    };
    for (const auto& [col, d] : o_.column_dtypes) check_known(col, "column_dtypes");
    for (const auto& [col, v] : o_.column_defaults) check_known(col, "column_defaults");

    // The result columns.
    std::vector<std::string> wanted = o_.select_columns;
    std::set<std::string> named(wanted.begin(), wanted.end());
    if (also_named_) {
      named.insert(*also_named_);
      if (!wanted.empty() && !std::count(wanted.begin(), wanted.end(), *also_named_))
        wanted.push_back(*also_named_);
    }
    if (also_named_) check_known(*also_named_, "label_column");
    if (wanted.empty()) wanted = names;
    std::set<std::string> seen;
    for (const std::string& col : wanted) {
      check_known(col, also_named_ && col == *also_named_ ? "label_column" : "select_columns");
      if (!seen.insert(col).second)
        throw std::invalid_argument(ctx_ + ": select_columns names " + quote(col) + " twice");
      Column c;
      c.name = col;
      c.index = index[col];
      auto d = o_.column_dtypes.find(col);
      c.dtype = d != o_.column_dtypes.end() ? d->second : o_.default_dtype;
      c.named = named.count(col) > 0;
      auto def = o_.column_defaults.find(col);
      if (def != o_.column_defaults.end()) {
        c.has_default = true;
        c.fill = def->second;
        if (!core::is_floating(c.dtype) && !integral_in_range(c.fill, c.dtype))
          throw std::invalid_argument(ctx_ + ": column_defaults gives column " + quote(col) + " (" +
                                      core::dtype_name(c.dtype) + ") the value " +
                                      std::to_string(c.fill) + ", which that dtype cannot hold");
      }
      cols_.push_back(std::move(c));
    }

    // The rows.
    if (have_first) add_row(rec, names);
    while (tok.next(rec)) add_row(rec, names);

    // Skipped string columns, dropped rows.
    std::vector<uint8_t> keep(static_cast<std::size_t>(rows_), 1);
    if (o_.missing == Missing::drop_row)
      for (const Column& c : cols_)
        if (!c.dead)
          for (std::size_t r = 0; r < keep.size(); ++r)
            if (c.na[r]) keep[r] = 0;
    const int64_t kept = std::count(keep.begin(), keep.end(), uint8_t{1});
    std::vector<std::string> out_names;
    std::vector<Tensor> out_cols;
    for (Column& c : cols_) {
      if (c.dead) continue;
      const core::Shape shape{kept};
      if (core::is_floating(c.dtype)) {
        if (kept != rows_) compact(c.f, keep);
        out_cols.push_back(core::from_buffer(c.f.data(), DType::float64, shape, c.dtype));
      } else {
        if (kept != rows_) compact(c.i, keep);
        out_cols.push_back(core::from_buffer(c.i.data(), DType::int64, shape, c.dtype));
      }
      out_names.push_back(c.name);
    }
    return CsvTable(std::move(out_names), std::move(out_cols), kept);
  }

 private:
  template <class T> static void compact(std::vector<T>& v, const std::vector<uint8_t>& keep) {
    std::size_t w = 0;
    for (std::size_t r = 0; r < keep.size(); ++r)
      if (keep[r]) v[w++] = v[r];
    v.resize(w);
  }

  [[noreturn]] void fail(const Field& f, const Column& c, const std::string& problem) {
    throw std::runtime_error(ctx_ + ": line " + std::to_string(f.line) + ", column " +
                             std::to_string(c.index + 1) + " (" + quote(c.name) + "): " + problem);
  }

  void add_row(const std::vector<Field>& rec, const std::vector<std::string>& names) {
    if (rec.size() != names.size()) {
      const Field& f = rec.size() < names.size() ? rec.back() : rec[names.size()];
      const std::size_t column = std::min(rec.size(), names.size()) + (rec.size() > names.size());
      throw std::runtime_error(
          ctx_ + ": line " + std::to_string(f.line) + ", column " + std::to_string(column) + ": " +
          (rec.size() < names.size()
               ? "the row ends after " + std::to_string(rec.size()) + " fields, but "
               : "the row has an extra field " + quote(f.text) + " (" + std::to_string(rec.size()) +
                     " fields), but ") +
          std::to_string(names.size()) + " columns were expected" +
          (o_.header && o_.column_names.empty() ? " (as the header has)" : ""));
    }
    for (Column& c : cols_) {
      if (c.dead) continue;
      const Field& f = rec[c.index];
      const std::string_view t = trim(f.text);
      const bool missing = na_.count(std::string(t)) > 0;
      if (o_.missing == Missing::drop_row) c.na.push_back(missing);
      if (missing) {
        if (o_.missing == Missing::raise) fail(f, c, "missing value " + quote(f.text));
        double v = c.has_default ? c.fill : std::numeric_limits<double>::quiet_NaN();
        if (o_.missing == Missing::fill && !c.has_default && !core::is_floating(c.dtype))
          fail(f, c, "missing value " + quote(f.text) + " in a " + core::dtype_name(c.dtype) +
                         " column, which has no NaN: give a fill value in column_defaults, or "
                         "use Missing::drop_row");
        if (core::is_floating(c.dtype)) c.f.push_back(v);
        else c.i.push_back(static_cast<int64_t>(std::isfinite(v) ? v : 0));
        continue;
      }
      if (core::is_floating(c.dtype)) {
        double v = 0;
        int r = parse_double(t, v);
        if (r == 2 || (r == 0 && c.dtype == DType::float32 && std::isfinite(v) &&
                       std::fabs(v) > std::numeric_limits<float>::max()))
          fail(f, c, "the number " + quote(t) + " is out of range for " + core::dtype_name(c.dtype));
        if (r == 1) {
          not_a_number(f, c, t);
          continue;
        }
        c.f.push_back(v);
      } else if (c.dtype == DType::bool_) {
        int64_t v;
        if (t == "1" || t == "true" || t == "True" || t == "TRUE") v = 1;
        else if (t == "0" || t == "false" || t == "False" || t == "FALSE") v = 0;
        else {
          not_a_number(f, c, t);
          continue;
        }
        c.i.push_back(v);
      } else {
        int64_t v = 0;
        if (!parse_int(t, v)) {
          double d;
          if (is_integer_text(t))
            fail(f, c, "the integer " + quote(t) + " is out of range for " + core::dtype_name(c.dtype));
          if (parse_double(t, d) != 1)
            fail(f, c, quote(t) + " is not an integer, but the column is " +
                           core::dtype_name(c.dtype) + " (ask for a float dtype in column_dtypes)");
          not_a_number(f, c, t);
          continue;
        }
        if (c.dtype != DType::int64 && !integral_in_range(static_cast<double>(v), c.dtype))
          fail(f, c, "the integer " + quote(t) + " is out of range for " + core::dtype_name(c.dtype));
        c.i.push_back(v);
      }
    }
    ++rows_;
  }

  void not_a_number(const Field& f, Column& c, std::string_view t) {
    if (o_.string_columns == StringColumns::skip && !c.named) {
      c.dead = true;
      c.f = {};
      c.i = {};
      c.na = {};
      return;
    }
    fail(f, c, "cannot parse " + quote(t) + " as " + core::dtype_name(c.dtype) +
                   (c.dtype == DType::bool_ ? " (expected 1, 0, true or false)" : "") +
                   "; there is no string dtype: leave the column out with select_columns" +
                   (c.named ? "" : " or skip such columns with string_columns = StringColumns::skip"));
  }

  const CsvOptions& o_;
  std::string ctx_;
  const std::string* also_named_;
  std::string_view text_;
  int64_t first_line_ = 1;
  std::set<std::string> na_;
  std::vector<Column> cols_;
  int64_t rows_ = 0;
};

CsvTable read(const std::string& path, const CsvOptions& options, const std::string* also_named) {
  const std::string ctx = "read_csv: '" + path + "'";
  std::string bytes = core::compression::read_file(path, kMaxBytes, ctx);
  if (core::compression::is_gzip(bytes)) bytes = core::compression::gunzip(bytes, kMaxBytes, ctx);
  return Parser(bytes, options, path, also_named).run();
}

}  // namespace

CsvTable::CsvTable(std::vector<std::string> names, std::vector<core::Tensor> columns, int64_t num_rows)
    : names_(std::move(names)), columns_(std::move(columns)), num_rows_(num_rows) {
  if (names_.size() != columns_.size())
    throw std::invalid_argument("CsvTable: " + std::to_string(names_.size()) + " names for " +
                                std::to_string(columns_.size()) + " columns");
  for (std::size_t k = 0; k < columns_.size(); ++k)
    if (!columns_[k].defined() || columns_[k].rank() != 1 || columns_[k].shape()[0] != num_rows_)
      throw std::invalid_argument("CsvTable: column " + quote(names_[k]) + " must have shape (" +
                                  std::to_string(num_rows_) + ",)");
}

bool CsvTable::contains(const std::string& name) const {
  return std::find(names_.begin(), names_.end(), name) != names_.end();
}

const core::Tensor& CsvTable::operator[](const std::string& name) const {
  auto it = std::find(names_.begin(), names_.end(), name);
  if (it == names_.end())
    throw std::invalid_argument("CsvTable: no column " + quote(name) + " (the columns are " +
                                list_names(names_) + ")");
  return columns_[static_cast<std::size_t>(it - names_.begin())];
}

CsvTable read_csv(const std::string& path, const CsvOptions& options) {
  return read(path, options, nullptr);
}

CsvTable parse_csv(std::string_view text, const CsvOptions& options, const std::string& name) {
  return Parser(text, options, name, nullptr).run();
}

std::pair<core::Tensor, core::Tensor> read_csv_features_labels(const std::string& path,
                                                               const std::string& label_column,
                                                               const CsvOptions& options) {
  CsvTable table = read(path, options, &label_column);
  std::vector<Tensor> features;
  for (int64_t k = 0; k < table.num_columns(); ++k)
    if (table.names()[static_cast<std::size_t>(k)] != label_column)
      features.push_back(core::ops::cast(table.columns()[static_cast<std::size_t>(k)], DType::float32));
  Tensor x = features.empty() ? core::ops::zeros({table.num_rows(), 0}, DType::float32)
                              : core::ops::stack(features, 1);
  return {x, table[label_column]};
}

}  // namespace keras::data
