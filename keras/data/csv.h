// csv.h - reading CSV files into named column tensors (pandas.read_csv's everyday
// subset): a header, column selection, per-column dtypes, missing values, RFC 4180
// quoting, LF, CRLF or CR (old Mac) line ends, gzip-compressed files. The text must be
// UTF-8 or ASCII: a UTF-16 or UTF-32 file raises an error naming the encoding.
//
//   auto table = keras::data::read_csv("housing.csv", {.select_columns = {"RM", "MEDV"}});
//   keras::Tensor rooms = table["RM"];                       // float32 (n,)
//   auto [x, y] = keras::data::read_csv_features_labels("iris.csv", "species",
//       {.column_dtypes = {{"species", keras::DType::int32}}});  // x: float32 (n, k)
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace keras::data {

/// What a missing value (a field equal to one of na_values) becomes.
enum class Missing {
  fill,      ///< the column's entry in column_defaults, else NaN (float columns only)
  raise,     ///< a std::runtime_error naming the file, line and column
  drop_row,  ///< the row is left out
};

/// What a column whose values are not numbers becomes (there is no string dtype).
enum class StringColumns {
  raise,  ///< a std::runtime_error naming the file, line, column and text
  skip,   ///< the column is left out (only when select_columns does not name it)
};

/// Options of read_csv / parse_csv / read_csv_features_labels (pandas.read_csv's names
/// where they exist).
struct CsvOptions {
  char delimiter = ',';  ///< The field separator (pandas's sep).
  bool header = true;    ///< the first row (after skip_rows) holds the column names
  int64_t skip_rows = 0;  ///< lines skipped at the start of the file, before the header
  /// Names for the columns, in file order; when header is true too, the header row is
  /// read and ignored. Without a header and without names, the columns are "0", "1", ...
  std::vector<std::string> column_names{};
  /// The columns to read, in the order the result gives them; empty: all, in file order.
  std::vector<std::string> select_columns{};
  /// dtype per column name; the others get default_dtype. Integer and bool columns are
  /// never inferred: ask for them here. bool columns read 1/0/true/false/True/False/TRUE/FALSE.
  std::map<std::string, core::DType> column_dtypes{};
  core::DType default_dtype = core::DType::float32;  ///< The dtype of columns not in column_dtypes.
  /// Field texts read as missing (compared after surrounding spaces are trimmed).
  std::vector<std::string> na_values{"", "NA", "NaN", "nan"};
  Missing missing = Missing::fill;  ///< What a missing field becomes (Missing::fill by default).
  /// Fill values per column name for Missing::fill (required for integer and bool
  /// columns, which have no NaN).
  std::map<std::string, double> column_defaults{};
  /// What a non-numeric column becomes (by default an error).
  StringColumns string_columns = StringColumns::raise;
};

/// Named columns of equal length, in order.
class CsvTable {
 public:
  CsvTable() = default;
  /// A table from named columns; names and columns must match in number and every column be
  /// rank 1 with num_rows elements (std::invalid_argument otherwise).
  CsvTable(std::vector<std::string> names, std::vector<core::Tensor> columns, int64_t num_rows);

  /// The column names, in the table's order.
  const std::vector<std::string>& names() const { return names_; }
  /// The columns, in the order of names().
  const std::vector<core::Tensor>& columns() const { return columns_; }
  /// The number of rows (each column's length).
  int64_t num_rows() const { return num_rows_; }
  /// The number of columns.
  int64_t num_columns() const { return static_cast<int64_t>(names_.size()); }
  /// Whether a column is named `name`.
  bool contains(const std::string& name) const;
  /// The column (rank 1, num_rows() elements); an unknown name raises
  /// std::invalid_argument listing the names there are.
  const core::Tensor& operator[](const std::string& name) const;

 private:
  std::vector<std::string> names_;
  std::vector<core::Tensor> columns_;
  int64_t num_rows_ = 0;
};

/// Reads a CSV file (gzip-compressed when its content starts with the gzip magic, as a
/// ".gz" file does). Malformed content (ragged rows, unparsable or out-of-range numbers,
/// unterminated quotes, missing values under Missing::raise) raises std::runtime_error
/// naming the file, the line and the column (1-based) and quoting the offending text;
/// an unknown column in the options raises std::invalid_argument.
CsvTable read_csv(const std::string& path, const CsvOptions& options = {});

/// The same from text in memory; `name` stands for the file in messages.
CsvTable parse_csv(std::string_view text, const CsvOptions& options = {},
                   const std::string& name = "<string>");

/// Features and labels for training: every column read except label_column, cast to
/// float32 and stacked as (n, k) in column order, and the label column (n,) in its dtype
/// (ask for int32 class ids with column_dtypes). When select_columns is given, it names
/// the feature columns (label_column may be left out of it).
std::pair<core::Tensor, core::Tensor> read_csv_features_labels(const std::string& path,
                                                               const std::string& label_column,
                                                               const CsvOptions& options = {});

}  // namespace keras::data
