// csv_tokenizer.cpp - the CSV reader's encoding check and tokenizer (csv_tokenizer.h).
#include "keras/data/csv_tokenizer.h"

#include <algorithm>
#include <stdexcept>

namespace keras::data::csv_detail {

std::string quote(std::string_view s) {
  std::string out = "'";
  for (char c : s.substr(0, 80)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (u < 0x20 || u == 0x7f) {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else out += c;
  }
  if (s.size() > 80) out += "...";
  return out + "'";
}

void check_encoding(std::string_view text, const std::string& ctx) {
  auto starts = [&](std::string_view mark) { return text.substr(0, mark.size()) == mark; };
  auto fail = [&](const std::string& what) {
    throw std::runtime_error(ctx + ": the file looks like " + what + "; save it as UTF-8 (or ASCII) to read it");
  };
  using namespace std::string_view_literals;
  // UTF-32 first: its little-endian mark begins with UTF-16LE's.
  if (starts("\xFF\xFE\0\0"sv)) fail("UTF-32 (found a UTF-32LE byte-order mark)");
  if (starts("\0\0\xFE\xFF"sv)) fail("UTF-32 (found a UTF-32BE byte-order mark)");
  if (starts("\xFF\xFE"sv)) fail("UTF-16 (found a UTF-16LE byte-order mark)");
  if (starts("\xFE\xFF"sv)) fail("UTF-16 (found a UTF-16BE byte-order mark)");
  const std::size_t nul = text.find('\0');
  if (nul == std::string_view::npos) return;
  // Without a mark: UTF-16 text of ASCII characters has a NUL in every other byte.
  std::size_t even = 0, odd = 0;
  const std::size_t n = std::min<std::size_t>(text.size(), 4096);
  for (std::size_t i = 0; i < n; ++i)
    if (text[i] == '\0') ++(i % 2 ? odd : even);
  const std::size_t pairs = n / 2;
  if (pairs > 0 && odd * 4 >= pairs * 3 && even * 4 < pairs)
    fail("UTF-16 (no byte-order mark, but a NUL in every other byte: UTF-16LE)");
  if (pairs > 0 && even * 4 >= pairs * 3 && odd * 4 < pairs)
    fail("UTF-16 (no byte-order mark, but a NUL in every other byte: UTF-16BE)");
  fail("binary data or UTF-16/UTF-32 (it has a NUL byte at offset " + std::to_string(nul) + ")");
}

std::size_t next_line(std::string_view s, std::size_t pos) {
  while (pos < s.size()) {
    if (std::size_t n = line_end_at(s, pos)) return pos + n;
    ++pos;
  }
  return pos;
}

bool Tokenizer::next(std::vector<Field>& out) {
  while (true) {
    out.clear();
    if (pos_ >= s_.size()) return false;
    // A blank line is skipped.
    if (std::size_t n = line_end_at(s_, pos_)) {
      pos_ += n;
      ++line_;
      continue;
    }
    while (true) {
      out.push_back(field(out.size() + 1));
      if (pos_ >= s_.size()) return true;
      if (std::size_t n = line_end_at(s_, pos_)) {
        pos_ += n;
        ++line_;
        return true;
      }
      ++pos_;  // the delimiter: another field follows
    }
  }
}

void Tokenizer::fail(int64_t line, std::size_t column, const std::string& problem) {
  throw std::runtime_error(ctx_ + ": line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
                           problem);
}

Field Tokenizer::field(std::size_t column) {
  Field f;
  f.line = line_;
  if (pos_ < s_.size() && s_[pos_] == '"') {
    const std::size_t open = pos_++;
    std::size_t start = pos_;
    std::string* unescaped = nullptr;
    while (true) {
      std::size_t q = s_.find('"', pos_);
      if (q == std::string_view::npos)
        fail(f.line, column, "unterminated quoted field (the quote opened here is never closed: " +
                                 quote(s_.substr(open, 40)) + ")");
      for (std::size_t i = pos_; i < q; ++i)  // line ends inside the quotes (CRLF counts once)
        if (s_[i] == '\n' || (s_[i] == '\r' && (i + 1 >= q || s_[i + 1] != '\n'))) ++line_;
      if (q + 1 < s_.size() && s_[q + 1] == '"') {  // a doubled quote
        if (!unescaped) unescaped = &arena_.emplace_back();
        unescaped->append(s_.substr(start, q + 1 - start));
        pos_ = start = q + 2;
        continue;
      }
      if (unescaped) {
        unescaped->append(s_.substr(start, q - start));
        f.text = *unescaped;
      } else {
        f.text = s_.substr(start, q - start);
      }
      pos_ = q + 1;
      break;
    }
    // After the closing quote: the delimiter, the end of the line, or spaces.
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t') && s_[pos_] != delim_) ++pos_;
    if (!at_record_end() && s_[pos_] != delim_) {
      std::size_t end = pos_;
      while (end < s_.size() && !line_end_at(s_, end)) ++end;
      fail(f.line, column, "unexpected text " + quote(s_.substr(pos_, end - pos_)) +
                               " after the closing quote of a quoted field");
    }
    return f;
  }
  const std::size_t start = pos_;
  while (pos_ < s_.size() && s_[pos_] != delim_ && s_[pos_] != '\n' && s_[pos_] != '\r') ++pos_;
  f.text = s_.substr(start, pos_ - start);
  return f;
}

}  // namespace keras::data::csv_detail
