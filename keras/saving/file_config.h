// file_config.h - (private to keras/saving) the JSON sections of a saved file: parsing
// them, bounding the integers of an architecture, and checking the format version a
// model's config records.
#pragma once
#include <string>
#include <string_view>

#include "keras/config.h"

namespace keras::saving::detail {

// "<source>, section '<section>'", the start of messages about a section.
std::string where(const std::string& source, const char* section);
// The section's JSON; invalid JSON raises format::FormatError naming the section.
Config parse_json(std::string_view text, const std::string& source, const char* section);
// Raises format::FormatError for an integer (other than a seed) beyond +-2^24: it would
// size tensors far beyond any model this format is meant for.
void check_config_values(const Value& v, const std::string& key, const std::string& source,
                         const char* section = "config");
// The "format_version" of a model's config (written by save_model; absent in none but
// hand-made files, taken as the current one): a version newer than this build reads
// raises format::FormatError naming both versions, as does one that is not an integer.
void check_config_version(const Config& cfg, const std::string& source);

}  // namespace keras::saving::detail
