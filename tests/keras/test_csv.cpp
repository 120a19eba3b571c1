#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "files.h"
#include "helpers.h"
#include "skips.h"
#include "keras/data/csv.h"

using namespace th;
namespace fs = std::filesystem;
using keras::data::CsvOptions;
using keras::data::Missing;
using keras::data::StringColumns;

namespace {

// A file in the temporary directory under a name unique to this run (mkstemps: created
// exclusively, ending in `name`), removed at the end of the test.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& name, const std::string& bytes = "") {
    path = (fs::temp_directory_path() / ("keras_cpp_test_csv_XXXXXX_" + name)).string();
    const int fd = ::mkstemps(path.data(), static_cast<int>(name.size() + 1));
    REQUIRE_MESSAGE(fd >= 0, "cannot create a temporary file like " << path);
    ::close(fd);
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

keras::data::CsvTable parse(const std::string& text, const CsvOptions& o = {}) {
  return keras::data::parse_csv(text, o, "t.csv");
}

}  // namespace

TEST_CASE("test_csv: columns by name, float32 by default, file order") {
  auto t = parse("a,b,c\n1,2.5,-3\n4,5e-1,+6\n");
  CHECK(t.names() == std::vector<std::string>{"a", "b", "c"});
  CHECK(t.num_rows() == 2);
  CHECK(t.num_columns() == 3);
  CHECK(t["a"].dtype() == DType::float32);
  CHECK(t["a"].shape() == Shape{2});
  check_values(t["b"], std::vector<double>{2.5, 0.5});
  check_values(t["c"], std::vector<double>{-3, 6});
  CHECK(t.contains("c"));
  CHECK_FALSE(t.contains("d"));
  CHECK_THROWS_MSG(t["d"], std::invalid_argument, "CsvTable: no column 'd' (the columns are 'a', 'b', 'c')");
  // A header alone gives empty columns.
  auto e = parse("x,y\n");
  CHECK(e.num_rows() == 0);
  CHECK(e["y"].shape() == Shape{0});
}

TEST_CASE("test_csv: select_columns, dtypes, delimiter, no header") {
  CsvOptions o{.select_columns = {"c", "a"},
               .column_dtypes = {{"a", DType::int64}, {"c", DType::bool_}}};
  auto t = parse("a,b,c\n9007199254740993,x,true\n-2,y,0\n", o);
  CHECK(t.names() == std::vector<std::string>{"c", "a"});  // the order asked for
  CHECK(t["a"].dtype() == DType::int64);
  CHECK(t["a"].to_vector<int64_t>() == std::vector<int64_t>{9007199254740993, -2});  // exact
  CHECK(t["c"].dtype() == DType::bool_);
  CHECK(t["c"].to_vector<bool>() == std::vector<bool>{true, false});

  auto s = parse("1;2\n3;4\n", {.delimiter = ';', .header = false, .default_dtype = DType::float64});
  CHECK(s.names() == std::vector<std::string>{"0", "1"});
  CHECK(s["1"].dtype() == DType::float64);
  check_values(s["1"], std::vector<double>{2, 4});
  auto n = parse("1\t2\n", {.delimiter = '\t', .header = false, .column_names = {"p", "q"}});
  check_values(n["q"], std::vector<double>{2});
  // With a header too, column_names replaces its names.
  auto r = parse("a,b\n1,2\n", {.column_names = {"p", "q"}, .column_dtypes = {{"p", DType::uint8}}});
  CHECK(r["p"].to_vector<uint8_t>() == std::vector<uint8_t>{1});
}

TEST_CASE("test_csv: RFC 4180 quoting, CRLF, BOM, blank lines, spaces") {
  const std::string text =
      "\xEF\xBB\xBF\"name, quoted\",\"v\"\r\n"
      "\"a \"\"b\"\", c\",\" 1.5 \"\r\n"
      "\r\n"
      "\"multi\nline\",2\r\n"
      "plain, 3 \r\n";
  auto t = parse(text, {.select_columns = {"v"}});
  CHECK(t.names() == std::vector<std::string>{"v"});
  check_values(t["v"], std::vector<double>{1.5, 2, 3});
  // The quoted text column read as a string raises, with the unescaped text.
  CHECK_THROWS_MSG(parse(text), std::runtime_error,
                   "read_csv: 't.csv': line 2, column 1 ('name, quoted'): cannot parse 'a \"b\", c' as float32");
  // The multi-line field counts its lines: the next record is on line 6.
  CHECK_THROWS_MSG(parse(text + "x,4\n", {.select_columns = {"v"}, .column_dtypes = {{"v", DType::int32}}}),
                   std::runtime_error, "line 2, column 2 ('v'): '1.5' is not an integer, but the column is int32");
  CHECK_THROWS_MSG(parse("a,b\n1,2\n\"q\nq\",3\n4,x\n", {.select_columns = {"b"}}), std::runtime_error,
                   "line 5, column 2 ('b'): cannot parse 'x'");
}

TEST_CASE("test_csv: CR-only (old Mac) line ends, alone or mixed with LF and CRLF") {
  auto t = parse("a,b\r1,2\r3,4\r");
  CHECK(t.num_rows() == 2);
  check_values(t["a"], std::vector<double>{1, 3});
  check_values(t["b"], std::vector<double>{2, 4});
  // Without a final line end, with blank lines, and mixed with LF and CRLF.
  auto m = parse("a,b\r\r1,2\n3,4\r\n\r5,6\r7,8");
  check_values(m["a"], std::vector<double>{1, 3, 5, 7});
  check_values(m["b"], std::vector<double>{2, 4, 6, 8});
  // A quoted field keeps its CR; a quoted field at the end of a CR line.
  auto q = parse("a,b\r\"x\ry\",1\r\"z\",2\r", {.select_columns = {"b"}});
  check_values(q["b"], std::vector<double>{1, 2});
  CHECK_THROWS_MSG(parse("a,b\r\"x\ry\",1\r"), std::runtime_error, "line 2, column 1 ('a'): cannot parse 'x\\ry'");
  // Line numbers count CR line ends (in quoted fields too), and skip_rows skips CR lines.
  CHECK_THROWS_MSG(parse("a,b\r1,2\r\"q\rq\",3\r4,x\r", {.select_columns = {"b"}}), std::runtime_error,
                   "line 5, column 2 ('b'): cannot parse 'x'");
  CHECK_THROWS_MSG(parse("a,b\r\n1,2\r\n\"q\r\nq\",3\r\n4,x\r\n", {.select_columns = {"b"}}), std::runtime_error,
                   "line 5, column 2 ('b'): cannot parse 'x'");
  auto s = parse("# comment\r# another\rx,y\r1,2\r", {.skip_rows = 2});
  CHECK(s.names() == std::vector<std::string>{"x", "y"});
  check_values(s["y"], std::vector<double>{2});
  // Spaces after a closing quote, then a CR.
  check_values(parse("a\r\"1\"  \r\"2\"\r")["a"], std::vector<double>{1, 2});
  // As a file, too.
  TempFile f("mac.csv", "x,y\r1,2\r3,4\r");
  check_values(keras::data::read_csv(f.path)["y"], std::vector<double>{2, 4});
}

TEST_CASE("test_csv: UTF-16 and UTF-32 files raise an error naming the encoding") {
  // "a,b\n1,2\n" in UTF-16LE and UTF-16BE, with and without a byte-order mark.
  const std::string ascii = "a,b\n1,2\n";
  std::string le, be;
  for (char c : ascii) {
    le += std::string{c, '\0'};
    be += std::string{'\0', c};
  }
  CHECK_THROWS_MSG(parse("\xFF\xFE" + le), std::runtime_error,
                   "read_csv: 't.csv': the file looks like UTF-16 (found a UTF-16LE byte-order mark); save it as UTF-8");
  CHECK_THROWS_MSG(parse("\xFE\xFF" + be), std::runtime_error,
                   "read_csv: 't.csv': the file looks like UTF-16 (found a UTF-16BE byte-order mark); save it as UTF-8");
  CHECK_THROWS_MSG(parse(le), std::runtime_error, "looks like UTF-16 (no byte-order mark, but a NUL in every other byte: UTF-16LE)");
  CHECK_THROWS_MSG(parse(be), std::runtime_error, "looks like UTF-16 (no byte-order mark, but a NUL in every other byte: UTF-16BE)");
  CHECK_THROWS_MSG(parse(std::string("\xFF\xFE\0\0", 4) + "a\0\0\0"), std::runtime_error,
                   "looks like UTF-32 (found a UTF-32LE byte-order mark)");
  CHECK_THROWS_MSG(parse(std::string("\0\0\xFE\xFF", 4)), std::runtime_error, "looks like UTF-32 (found a UTF-32BE byte-order mark)");
  CHECK_THROWS_MSG(parse(std::string("a,b\n1,2\n\0\x01\x02", 11)), std::runtime_error,
                   "looks like binary data or UTF-16/UTF-32 (it has a NUL byte at offset 8); save it as UTF-8");
  // From a file (and a gzip-compressed one), the message names the file.
  TempFile f("u16.csv", "\xFF\xFE" + le), gz("u16.csv.gz", gzip("\xFF\xFE" + le));
  CHECK_THROWS_MSG(keras::data::read_csv(f.path), std::runtime_error,
                   ("read_csv: '" + f.path + "': the file looks like UTF-16 (found a UTF-16LE byte-order mark)").c_str());
  CHECK_THROWS_MSG(keras::data::read_csv(gz.path), std::runtime_error, "looks like UTF-16 (found a UTF-16LE byte-order mark)");
  // UTF-8 (with or without its mark) still reads.
  check_values(parse("\xEF\xBB\xBF" "caf\xC3\xA9\n1\n")["caf\xC3\xA9"], std::vector<double>{1});
}

TEST_CASE("test_csv: missing values: fill, raise, drop_row") {
  const std::string text = "a,b,c\n1,,3\nNA,5,6\n7,8,nan\n10,11,12\n";
  auto f = parse(text);
  CHECK(std::isnan(f["a"].to_vector<float>()[1]));
  CHECK(std::isnan(f["b"].to_vector<float>()[0]));
  check_values(f["c"], std::vector<double>{3, 6, NAN, 12});
  auto d = parse(text, {.column_dtypes = {{"b", DType::int32}}, .column_defaults = {{"b", -1}, {"c", 0.5}}});
  CHECK(d["b"].to_vector<int32_t>() == std::vector<int32_t>{-1, 5, 8, 11});
  check_values(d["c"], std::vector<double>{3, 6, 0.5, 12});
  auto drop = parse(text, {.missing = Missing::drop_row});
  CHECK(drop.num_rows() == 1);
  check_values(drop["a"], std::vector<double>{10});
  // Only the selected columns count.
  auto drop_c = parse(text, {.select_columns = {"c"}, .missing = Missing::drop_row});
  check_values(drop_c["c"], std::vector<double>{3, 6, 12});
  CHECK_THROWS_MSG(parse(text, {.missing = Missing::raise}), std::runtime_error,
                   "read_csv: 't.csv': line 2, column 2 ('b'): missing value ''");
  CHECK_THROWS_MSG(parse(text, {.column_dtypes = {{"a", DType::int32}}}), std::runtime_error,
                   "line 3, column 1 ('a'): missing value 'NA' in a int32 column, which has no NaN");
  // Custom NA markers; "nan" is then a number (NaN).
  auto c = parse("a\n?\nnan\n", {.na_values = {"?"}, .column_defaults = {{"a", 9}}});
  check_values(c["a"], std::vector<double>{9, NAN});
  CHECK_THROWS_MSG(parse(text, {.column_dtypes = {{"a", DType::uint8}}, .column_defaults = {{"a", 300}}}),
                   std::invalid_argument, "column_defaults gives column 'a' (uint8) the value 300");
}

TEST_CASE("test_csv: string columns are rejected or skipped") {
  const std::string text = "id,name,score\n1,ann,2.5\n2,bob,3.5\n";
  CHECK_THROWS_MSG(parse(text), std::runtime_error,
                   "line 2, column 2 ('name'): cannot parse 'ann' as float32; there is no string dtype: "
                   "leave the column out with select_columns or skip such columns with "
                   "string_columns = StringColumns::skip");
  auto t = parse(text, {.string_columns = StringColumns::skip});
  CHECK(t.names() == std::vector<std::string>{"id", "score"});
  check_values(t["score"], std::vector<double>{2.5, 3.5});
  // A column named in select_columns is never skipped.
  CHECK_THROWS_MSG(parse(text, {.select_columns = {"name"}, .string_columns = StringColumns::skip}),
                   std::runtime_error, "cannot parse 'ann' as float32; there is no string dtype");
  // A string column found late still leaves the rows it held a missing value in.
  auto late = parse("a,s\n1,\n2,x\n", {.missing = Missing::drop_row, .string_columns = StringColumns::skip});
  CHECK(late.names() == std::vector<std::string>{"a"});
  check_values(late["a"], std::vector<double>{1, 2});
}

TEST_CASE("test_csv: malformed input names the file, line, column and text") {
  struct Case {
    const char* name;
    std::string text;
    CsvOptions options;
    const char* message;
  };
  std::vector<Case> cases = {
      {"short row", "a,b,c\n1,2,3\n4,5\n", {},
       "read_csv: 't.csv': line 3, column 2: the row ends after 2 fields, but 3 columns were expected (as the header has)"},
      {"long row", "a,b\n1,2\n3,4,5\n", {},
       "line 3, column 3: the row has an extra field '5' (3 fields), but 2 columns were expected"},
      {"bad number", "a,b\n1,2\n3,4x\n", {}, "line 3, column 2 ('b'): cannot parse '4x' as float32"},
      {"float32 overflow", "a\n1e39\n", {}, "line 2, column 1 ('a'): the number '1e39' is out of range for float32"},
      {"float64 overflow", "a\n1e999\n", {.default_dtype = DType::float64}, "the number '1e999' is out of range for float64"},
      {"int32 range", "a\n2147483648\n", {.default_dtype = DType::int32}, "the integer '2147483648' is out of range for int32"},
      {"int64 range", "a\n99999999999999999999\n", {.default_dtype = DType::int64}, "out of range for int64"},
      {"uint8 range", "a\n-1\n", {.default_dtype = DType::uint8}, "the integer '-1' is out of range for uint8"},
      {"bool text", "a\nyes\n", {.default_dtype = DType::bool_}, "cannot parse 'yes' as bool (expected 1, 0, true or false)"},
      {"unterminated quote", "a,b\n1,\"2\n3,4\n", {}, "line 2, column 2: unterminated quoted field"},
      {"text after quote", "a,b\n\"1\"x,2\n", {}, "line 2, column 1: unexpected text 'x,2' after the closing quote"},
      {"duplicate header", "a,b,a\n1,2,3\n", {}, "line 1: duplicate column name 'a' (columns 1 and 3)"},
      {"empty file", "", {}, "the file has no header row"},
      {"all skipped", "x\ny\n", {.skip_rows = 5}, "it is empty after 5 skipped lines"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    CHECK_THROWS_MSG(parse(c.text, c.options), std::runtime_error, c.message);
  }
  // Options naming unknown columns.
  CHECK_THROWS_MSG(parse("a,b\n1,2\n", {.select_columns = {"z"}}), std::invalid_argument,
                   "read_csv: 't.csv': select_columns names the column 'z', which the file does not have "
                   "(the header at line 1 has 'a', 'b')");
  CHECK_THROWS_MSG(parse("a,b\n1,2\n", {.column_dtypes = {{"q", DType::int32}}}), std::invalid_argument,
                   "column_dtypes names the column 'q'");
  CHECK_THROWS_MSG(parse("a\n1\n", {.delimiter = '"'}), std::invalid_argument, "the delimiter cannot be a quote");
}

TEST_CASE("test_csv: read_csv reads files, gzip-compressed too") {
  const std::string text = "x,y,label\n1,2,0\n3,4,1\n5,6,1\n";
  TempFile plain("d.csv", text), gz("d.csv.gz", gzip(text));
  for (const std::string& path : {plain.path, gz.path}) {
    CAPTURE(path);
    auto t = keras::data::read_csv(path);
    CHECK(t.num_rows() == 3);
    check_values(t["y"], std::vector<double>{2, 4, 6});
    auto [x, y] = keras::data::read_csv_features_labels(path, "label", {.column_dtypes = {{"label", DType::int32}}});
    CHECK(x.dtype() == DType::float32);
    CHECK(x.shape() == Shape{3, 2});
    check_values(x, std::vector<double>{1, 2, 3, 4, 5, 6});
    CHECK(y.dtype() == DType::int32);
    CHECK(y.to_vector<int32_t>() == std::vector<int32_t>{0, 1, 1});
  }
  // select_columns names the features; the label is added.
  auto [x, y] = keras::data::read_csv_features_labels(plain.path, "label", {.select_columns = {"y"}});
  CHECK(x.shape() == Shape{3, 1});
  check_values(x, std::vector<double>{2, 4, 6});
  CHECK_THROWS_MSG(keras::data::read_csv_features_labels(plain.path, "target"), std::invalid_argument,
                   "label_column names the column 'target', which the file does not have");
  // A truncated gzip file and a missing file.
  std::string z = gzip(text);
  TempFile cut("cut.csv.gz", z.substr(0, z.size() - 12));
  CHECK_THROWS_MSG(keras::data::read_csv(cut.path), std::runtime_error, "the gzip data is truncated");
  CHECK_THROWS_MSG(keras::data::read_csv(plain.path + ".missing"), std::runtime_error,
                   "cannot open: No such file or directory");
  // Errors name the file.
  TempFile bad("bad.csv", "a,b\n1\n");
  CHECK_THROWS_MSG(keras::data::read_csv(bad.path), std::runtime_error,
                   ("read_csv: '" + bad.path + "': line 2, column 1: the row ends after 1 fields").c_str());
}

TEST_CASE("test_csv: the Boston house prices file of Debian's python3-sklearn" *
          doctest::skip(th::skip_without("sklearn_csv", th::have_boston_csv()))) {
  const std::string path = th::boston_csv();
  // A first line "506,13,,,..." then the quoted header, then 506 rows.
  auto t = keras::data::read_csv(path, {.skip_rows = 1});
  CHECK(t.num_rows() == 506);
  CHECK(t.num_columns() == 14);
  CHECK(t.names().front() == "CRIM");
  CHECK(t.names().back() == "MEDV");
  CHECK(t["CRIM"].to_vector<float>()[0] == 0.00632f);  // first row
  CHECK(t["TAX"].to_vector<float>()[0] == 296.0f);
  CHECK(t["MEDV"].to_vector<float>()[505] == 11.9f);  // last row
  auto [x, y] = keras::data::read_csv_features_labels(path, "MEDV", {.skip_rows = 1});
  CHECK(x.shape() == Shape{506, 13});
  CHECK(y.shape() == Shape{506});
  CHECK(y.dtype() == DType::float32);
  check_values(ops::slice(x, {0, 0}, {1, 13}),
               std::vector<double>{0.00632, 18, 2.31, 0, 0.538, 6.575, 65.2, 4.09, 1, 296, 15.3, 396.9, 4.98}, 1e-6);
  CHECK(ops::mean(y).item<double>() == doctest::Approx(22.532806).epsilon(1e-5));  // sklearn: MEDV mean
}
