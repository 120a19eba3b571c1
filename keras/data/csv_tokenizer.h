// csv_tokenizer.h - (private to keras/data) the CSV reader's first stage: checking that
// the text is UTF-8 (or ASCII) rather than UTF-16/UTF-32, and splitting it into records
// of fields (RFC 4180 quoting; lines end with LF, CRLF or a lone CR).
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace keras::data::csv_detail {

// s in single quotes for messages: control characters escaped, cut after 80 bytes.
std::string quote(std::string_view s);

// Raises std::runtime_error (starting with ctx) when the text is not 8-bit text: a UTF-16
// or UTF-32 byte-order mark, or NUL bytes (UTF-16 without a mark, or binary data). The
// message names the encoding found and says to save the file as UTF-8.
void check_encoding(std::string_view text, const std::string& ctx);

// The length of the line end at s[pos] ("\n", "\r\n" or a lone "\r"), 0 when there is none.
inline std::size_t line_end_at(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return 0;
  if (s[pos] == '\n') return 1;
  if (s[pos] == '\r') return pos + 1 < s.size() && s[pos + 1] == '\n' ? 2 : 1;
  return 0;
}

// The position after the line that starts at pos (after its line end), or s.size().
std::size_t next_line(std::string_view s, std::size_t pos);

struct Field {
  std::string_view text;
  int64_t line = 0;  // where the field starts
};

// Splits text into records of fields. Quoted fields may hold the delimiter, line ends
// and doubled quotes; a record ends at a line end (LF, CRLF or CR).
class Tokenizer {
 public:
  Tokenizer(std::string_view text, char delim, int64_t first_line, const std::string& ctx)
      : s_(text), delim_(delim), line_(first_line), ctx_(ctx) {}

  int64_t line() const { return line_; }

  // The next non-blank record into `out`; false at the end of the text.
  bool next(std::vector<Field>& out);

 private:
  [[noreturn]] void fail(int64_t line, std::size_t column, const std::string& problem);
  // One field, leaving pos_ at the delimiter, the line end or the end.
  Field field(std::size_t column);
  bool at_record_end() const { return pos_ >= s_.size() || line_end_at(s_, pos_) > 0; }

  std::string_view s_;
  char delim_;
  std::size_t pos_ = 0;
  int64_t line_;
  const std::string& ctx_;
  std::deque<std::string> arena_;  // quoted fields with doubled quotes, unescaped
};

}  // namespace keras::data::csv_detail
