// summary.cpp - Model::summary(): Keras 3's table of layers, output shapes and
// parameter counts (with the calls feeding each layer for functional models).
#include <algorithm>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "keras/layers/operation.h"
#include "keras/models/model.h"
#include "keras/io_utils_internal.h"

namespace keras {
using layers::Node;

namespace {
std::string with_commas(int64_t n) {
  std::string s = std::to_string(n), out;
  int c = 0;
  for (auto it = s.rbegin(); it != s.rend(); ++it) {
    if (c && c % 3 == 0 && *it != '-') out += ',';
    out += *it;
    ++c;
  }
  return std::string(out.rbegin(), out.rend());
}

std::string readable_bytes(double b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f %s", b, units[u]);
  return buf;
}

size_t display_width(const std::string& s) {  // UTF-8 code points
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string pad(const std::string& s, size_t w, bool right) {
  size_t d = display_width(s);
  std::string fill(w > d ? w - d : 0, ' ');
  return right ? fill + s : s + fill;
}

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

std::string shapes_str(const std::vector<ShapeSpec>& shapes) {
  if (shapes.empty()) return "?";
  if (shapes.size() == 1) return layers::shape_str(shapes[0]);
  std::string s = "[";
  for (size_t i = 0; i < shapes.size(); ++i) s += (i ? ", " : "") + layers::shape_str(shapes[i]);
  return s + "]";
}

int64_t weight_bytes(const std::vector<Variable>& ws) {
  int64_t b = 0;
  for (const Variable& v : ws) b += v.shape().num_elements() * int64_t(core::dtype_size(v.dtype()));
  return b;
}
int64_t weight_count(const std::vector<Variable>& ws) {
  int64_t n = 0;
  for (const Variable& v : ws) n += v.shape().num_elements();
  return n;
}
// Keras's column widths for summary(line_length): the line is line_length wide, split at
// the relative positions Keras uses (0.45, 0.80, 1.0; with the "Connected to" column
// 0.3, 0.56, 0.74, 1.0), borders and padding included.
std::vector<size_t> fixed_widths(int line_length, bool connections) {
  const std::vector<double> pos = connections ? std::vector<double>{0.3, 0.56, 0.74, 1.0}
                                              : std::vector<double>{0.45, 0.80, 1.0};
  const int n = int(pos.size());
  const int content = line_length - (3 * n + 1);  // "│ " + " " per column, and the last bar
  if (content < 4 * n)
    throw std::invalid_argument("summary: line_length " + std::to_string(line_length) + " is too small; expected at least " +
                                std::to_string(4 * n + 3 * n + 1) + " characters for " + std::to_string(n) + " columns");
  std::vector<size_t> w;
  int used = 0;
  double prev = 0;
  for (int i = 0; i < n; ++i) {
    int wi = i + 1 == n ? content - used : std::max(4, int((pos[size_t(i)] - prev) * content));
    prev = pos[size_t(i)];
    used += wi;
    w.push_back(size_t(wi));
  }
  return w;
}

// A cell's text in lines of at most `width` code points, broken at spaces; a word longer
// than the column ends in "…".
std::vector<std::string> wrap(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::string line;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(start, end - start);
    if (display_width(word) > width) {  // cut to width - 1 code points and "…"
      std::string cut;
      size_t n = 0;
      for (size_t i = 0; i < word.size(); ++i) {
        if ((static_cast<unsigned char>(word[i]) & 0xC0) != 0x80 && ++n > width - 1) break;
        cut += word[i];
      }
      word = cut + "…";
    }
    if (line.empty()) line = word;
    else if (display_width(line) + 1 + display_width(word) <= width) line += " " + word;
    else {
      lines.push_back(line);
      line = word;
    }
    start = end + 1;
  }
  lines.push_back(line);
  return lines;
}
}  // namespace

std::string Model::summary_string(int line_length) const {
  const auto* fm = dynamic_cast<const FunctionalModel*>(this);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"Layer (type)", "Output Shape", "Param #"};
  if (fm) header.push_back("Connected to");
  std::map<const layers::Layer*, std::vector<std::string>> inbound;
  if (fm) {
    for (const auto& n : fm->nodes()) {
      auto& v = inbound[n->layer.get()];
      for (const KerasTensor& t : n->inputs)
        v.push_back(t.node()->layer->name() + "[0][" + std::to_string(t.index()) + "]");
    }
  }
  // A functional model lists its keras.ops operations too, by their Keras class, as Keras.
  for (const LayerPtr& l : fm ? fm->operations() : layers()) {
    std::vector<std::string> r;
    const auto* op = dynamic_cast<const layers::OperationLayer*>(l.get());
    r.push_back(l->name() + " (" + (op ? op->keras_class() : l->class_name()) + ")");
    if (auto* in = dynamic_cast<const InputLayer*>(l.get()))
      r.push_back(layers::shape_str(in->batch_shape()));
    else
      r.push_back(shapes_str(l->output_shapes()));
    r.push_back(l->built() || l->count_params() ? with_commas(l->count_params()) : "0 (unbuilt)");
    if (fm) {
      auto it = inbound.find(l.get());
      std::string c;
      if (it != inbound.end())
        for (const auto& s : it->second) c += (c.empty() ? "" : ", ") + s;
      r.push_back(c.empty() ? "-" : c);
    }
    rows.push_back(r);
  }
  std::vector<size_t> w(header.size());
  if (line_length > 0) {
    w = fixed_widths(line_length, fm != nullptr);
  } else {  // as wide as the cells
    for (size_t i = 0; i < header.size(); ++i) w[i] = display_width(header[i]);
    for (const auto& r : rows)
      for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], display_width(r[i]));
    for (auto& x : w) x = std::max<size_t>(x, 12);
  }
  auto line = [&](const char* l, const char* m, const char* rgt, const char* fill) {
    std::string s = l;
    for (size_t i = 0; i < w.size(); ++i) s += repeat(fill, w[i] + 2) + (i + 1 < w.size() ? m : rgt);
    return s + "\n";
  };
  auto row = [&](const std::vector<std::string>& r, const char* bar) {
    std::vector<std::vector<std::string>> cells;  // each cell wrapped to its column
    size_t height = 1;
    for (size_t i = 0; i < w.size(); ++i) {
      cells.push_back(wrap(r[i], w[i]));
      height = std::max(height, cells.back().size());
    }
    std::string s;
    for (size_t k = 0; k < height; ++k) {
      s += bar;
      for (size_t i = 0; i < w.size(); ++i) {  // appended piece by piece (g++ 12 -Wrestrict)
        s += ' ';
        s += pad(k < cells[i].size() ? cells[i][k] : "", w[i], i == 2);
        s += ' ';
        s += bar;
      }
      s += "\n";
    }
    return s;
  };
  std::string out = "Model: \"" + name() + "\"\n";
  out += line("┏", "┳", "┓", "━");
  out += row(header, "┃");
  out += line("┡", "╇", "┩", "━");
  for (size_t i = 0; i < rows.size(); ++i) {
    out += row(rows[i], "│");
    if (i + 1 < rows.size()) out += line("├", "┼", "┤", "─");
  }
  out += line("└", "┴", "┘", "─");
  auto all = weights(), tr = trainable_weights(), ntr = non_trainable_weights();
  out += " Total params: " + with_commas(weight_count(all)) + " (" + readable_bytes(double(weight_bytes(all))) + ")\n";
  out += " Trainable params: " + with_commas(weight_count(tr)) + " (" + readable_bytes(double(weight_bytes(tr))) + ")\n";
  out += " Non-trainable params: " + with_commas(weight_count(ntr)) + " (" + readable_bytes(double(weight_bytes(ntr))) + ")\n";
  return out;
}

void Model::summary(int line_length) const {
  std::string text = summary_string(line_length);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  keras::detail::print_msg(text);
}

}  // namespace keras
