// io_utils_internal.h - (internal to keras) Keras's io_utils.print_msg: a progress bar's,
// summary's or callback's message to standard output (or `out`) while interactive logging
// is enabled, else to the log handler (keras::config::set_log_handler).
#pragma once
#include <cstdio>
#include <string>

namespace keras::detail {

/// Writes `message` (and a newline with line_break) to `out` and flushes it; with
/// interactive logging disabled, passes it to the log handler instead, without its
/// leading and trailing newlines (an empty message is dropped).
void print_msg(const std::string& message, bool line_break = true, std::FILE* out = stdout);
/// print_msg of a printf-formatted message, with a line break, to standard output.
void print_msgf(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace keras::detail
