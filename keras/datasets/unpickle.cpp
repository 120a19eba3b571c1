// unpickle.cpp - the restricted pickle machine: a value stack, a mark stack and a memo, as
// Python's Unpickler, over the opcodes of protocols 2 to 5 that plain data uses. Calls
// (REDUCE) and state (BUILD) go to NumPy's array and dtype reconstruction
// (unpickle_numpy.cpp), the only ones taken. Ints stay unboxed on the stack and in
// int-only lists; containers that hold themselves are refused (and every container the
// result does not reach is emptied), so no reference cycle outlives the reader.
#include "keras/datasets/unpickle.h"

#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace keras::datasets::pickle {
namespace {

// A stack or memo entry: an object, or (obj null) the int i.
struct Slot {
  Ref obj;
  int64_t i = 0;
};

class Machine {
 public:
  Machine(std::string_view in, const std::string& ctx) : in_(in), ctx_(ctx) {}
  ~Machine() {
    for (const auto& w : created_)
      if (Ref o = w.lock(); o && !reachable_.count(o.get())) {
        o->items.clear();
        o->entries.clear();
      }
  }

  Ref run() {
    while (true) {
      const std::size_t at = pos_;
      const unsigned char op = byte();
      if (step(op, at)) break;
    }
    if (stack_.size() != 1 || !marks_.empty())
      fail(pos_ - 1, "STOP with " + std::to_string(stack_.size()) + " values on the stack");
    Ref root = box(stack_.back());
    check_acyclic(root);
    return root;
  }

 private:
  // Runs one opcode; true at STOP.
  bool step(unsigned char op, std::size_t at) {
    switch (op) {
      case 0x80:  // PROTO
        byte();
        return false;
      case 0x95:  // FRAME: its length only helps buffering
        take(8);
        return false;
      case '.':  // STOP
        return true;
      case '(':  // MARK
        marks_.push_back(stack_.size());
        return false;
      case '0':  // POP
        pop(at);
        return false;
      case '1':  // POP_MARK
        pop_mark(at);
        return false;
      case '2':  // DUP
        stack_.push_back(top(at));
        return false;
      case 'N':  // NONE
        push(make(Kind::none));
        return false;
      case 0x88:  // NEWTRUE
      case 0x89:  // NEWFALSE
        push(boolean(op == 0x88));
        return false;
      case 'J':  // BININT
        push_int(static_cast<int32_t>(le(4)));
        return false;
      case 'K':  // BININT1
        push_int(static_cast<int64_t>(le(1)));
        return false;
      case 'M':  // BININT2
        push_int(static_cast<int64_t>(le(2)));
        return false;
      case 0x8a:  // LONG1
        push_int(long_int(le(1), at));
        return false;
      case 0x8b:  // LONG4
        push_int(long_int(le(4), at));
        return false;
      case 'I':  // INT (and the bools 00 and 01)
        text_int(line(), at);
        return false;
      case 'G': {  // BINFLOAT (big-endian)
        uint64_t bits = 0;
        for (unsigned char c : take(8)) bits = (bits << 8) | c;
        Ref o = make(Kind::floating);
        std::memcpy(&o->floating, &bits, 8);
        push(o);
        return false;
      }
      case 'X':   // BINUNICODE
      case 0x8c:  // SHORT_BINUNICODE
      case 0x8d:  // BINUNICODE8
        push(str(Kind::text, le(op == 'X' ? 4 : op == 0x8c ? 1 : 8)));
        return false;
      case 'B':   // BINBYTES
      case 'C':   // SHORT_BINBYTES
      case 0x8e:  // BINBYTES8
      case 0x96:  // BYTEARRAY8
      case 'U':   // SHORT_BINSTRING (Python 2)
        push(str(Kind::bytes, le(op == 'B' ? 4 : op == 'C' || op == 'U' ? 1 : 8)));
        return false;
      case 'T': {  // BINSTRING (Python 2; a signed length)
        const auto n = static_cast<int32_t>(le(4));
        if (n < 0) fail(at, "negative string length " + std::to_string(n));
        push(str(Kind::bytes, static_cast<uint64_t>(n)));
        return false;
      }
      case ']':  // EMPTY_LIST
      case ')':  // EMPTY_TUPLE
      case '}':  // EMPTY_DICT
        push(make(op == ']' ? Kind::list : op == ')' ? Kind::tuple : Kind::dict));
        return false;
      case 'l':  // LIST
      case 't':  // TUPLE
        push(sequence(op == 'l' ? Kind::list : Kind::tuple, pop_mark(at)));
        return false;
      case 0x85:    // TUPLE1
      case 0x86:    // TUPLE2
      case 0x87: {  // TUPLE3
        const std::size_t n = op - 0x84;
        if (stack_.size() - base() < n) fail(at, "TUPLE" + std::to_string(n) + " on a short stack");
        std::vector<Slot> v(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
        stack_.resize(stack_.size() - n);
        push(sequence(Kind::tuple, std::move(v)));
        return false;
      }
      case 'a': {  // APPEND
        Slot v = pop(at);
        append(container(top(at), Kind::list, "APPEND", at), v);
        return false;
      }
      case 'e': {  // APPENDS
        std::vector<Slot> v = pop_mark(at);
        Object& l = container(top(at), Kind::list, "APPENDS", at);
        for (Slot& s : v) append(l, s);
        return false;
      }
      case 'd': {  // DICT
        std::vector<Slot> v = pop_mark(at);
        Ref d = make(Kind::dict);
        set_items(*d, v, at);
        push(d);
        return false;
      }
      case 's': {  // SETITEM
        Slot v = pop(at), k = pop(at);
        set_items(container(top(at), Kind::dict, "SETITEM", at), {k, v}, at);
        return false;
      }
      case 'u': {  // SETITEMS
        std::vector<Slot> v = pop_mark(at);
        set_items(container(top(at), Kind::dict, "SETITEMS", at), v, at);
        return false;
      }
      case 'c': {  // GLOBAL
        std::string module = line(), name = line();
        push(global(module + "." + name, at));
        return false;
      }
      case 0x93: {  // STACK_GLOBAL
        Ref name = box(pop(at)), module = box(pop(at));
        if (name->kind != Kind::text || module->kind != Kind::text) fail(at, "STACK_GLOBAL of non-strings");
        push(global(module->str + "." + name->str, at));
        return false;
      }
      case 'R': {  // REDUCE
        Ref args = box(pop(at)), fn = box(pop(at));
        try {
          push(track(detail::numpy_reduce(*fn, *args)));
        } catch (const std::runtime_error& e) {
          fail(at, e.what());
        }
        return false;
      }
      case 'b': {  // BUILD
        Ref state = box(pop(at));
        Ref target = box(top(at));
        try {
          detail::numpy_build(*target, *state);
        } catch (const std::runtime_error& e) {
          fail(at, e.what());
        }
        return false;
      }
      case 'q':  // BINPUT
      case 'r':  // LONG_BINPUT
        memo_[le(op == 'q' ? 1 : 4)] = top(at);
        return false;
      case 0x94:  // MEMOIZE
        memo_[memo_.size()] = top(at);
        return false;
      case 'p':  // PUT
        memo_[text_index(line(), at)] = top(at);
        return false;
      case 'h':  // BINGET
      case 'j':  // LONG_BINGET
        stack_.push_back(get(le(op == 'h' ? 1 : 4), at));
        return false;
      case 'g':  // GET
        stack_.push_back(get(text_index(line(), at), at));
        return false;
      default: {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", op);
        fail(at, std::string("unsupported pickle opcode ") + hex +
                     " (the reader takes the plain data and NumPy arrays of protocols 2 to 5)");
      }
    }
  }

  [[noreturn]] void fail(std::size_t at, const std::string& what) const {
    throw std::runtime_error(ctx_ + ": pickle at byte " + std::to_string(at) + ": " + what);
  }
  std::string_view take(uint64_t n) {
    if (n > in_.size() - pos_)
      fail(pos_, "truncated: " + std::to_string(n) + " bytes wanted, " + std::to_string(in_.size() - pos_) + " left");
    std::string_view s = in_.substr(pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return s;
  }
  unsigned char byte() { return static_cast<unsigned char>(take(1)[0]); }
  uint64_t le(int n) {  // a little-endian unsigned number of n bytes
    std::string_view s = take(static_cast<uint64_t>(n));
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[static_cast<std::size_t>(i)]);
    return v;
  }
  std::string line() {
    const std::size_t end = in_.find('\n', pos_);
    if (end == std::string_view::npos) fail(pos_, "truncated: a text argument has no end of line");
    std::string s(in_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }
  int64_t long_int(uint64_t n, std::size_t at) {  // two's complement, little-endian
    if (n > 8) fail(at, "an integer of " + std::to_string(n) + " bytes does not fit in int64");
    std::string_view s = take(n);
    uint64_t v = 0;
    for (std::size_t i = s.size(); i-- > 0;) v = (v << 8) | static_cast<unsigned char>(s[i]);
    if (n > 0 && n < 8 && (static_cast<unsigned char>(s[n - 1]) & 0x80)) v |= ~uint64_t(0) << (8 * n);
    return static_cast<int64_t>(v);
  }
  void text_int(const std::string& s, std::size_t at) {
    if (s == "00" || s == "01") return push(boolean(s == "01"));
    push_int(parse_decimal(s, at));
  }
  int64_t parse_decimal(const std::string& s, std::size_t at) const {
    std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    if (i == s.size()) fail(at, "not an integer: '" + s + "'");
    int64_t v = 0;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') fail(at, "not an integer: '" + s + "'");
      if (v > (std::numeric_limits<int64_t>::max() - (s[i] - '0')) / 10) fail(at, "integer out of range: " + s);
      v = v * 10 + (s[i] - '0');
    }
    return s[0] == '-' ? -v : v;
  }
  uint64_t text_index(const std::string& s, std::size_t at) const {
    const int64_t v = parse_decimal(s, at);
    if (v < 0) fail(at, "negative memo index " + s);
    return static_cast<uint64_t>(v);
  }

  Ref track(Ref o) {
    created_.push_back(o);
    return o;
  }
  Ref make(Kind k) {
    Ref o = std::make_shared<Object>();
    o->kind = k;
    return track(o);
  }
  Ref boolean(bool b) {
    Ref o = make(Kind::boolean);
    o->boolean = b;
    return o;
  }
  Ref box(const Slot& s) {
    if (s.obj) return s.obj;
    Ref o = make(Kind::integer);
    o->integer = s.i;
    return o;
  }
  Ref str(Kind k, uint64_t n) {
    std::string_view bytes = take(n);
    Ref o = make(k);
    o->str = std::string(bytes);
    return o;
  }
  // Ints go to `ints` while every element is one; the first other element boxes them.
  void append(Object& l, const Slot& v) {
    if (!v.obj && l.items.empty()) return l.ints.push_back(v.i);
    if (!l.ints.empty()) {
      for (int64_t i : l.ints) l.items.push_back(box(Slot{nullptr, i}));
      l.ints.clear();
    }
    l.items.push_back(box(v));
  }
  Ref sequence(Kind k, const std::vector<Slot>& v) {
    Ref o = make(k);
    for (const Slot& s : v) append(*o, s);
    return o;
  }
  Ref global(const std::string& name, std::size_t at) {
    if (name != "numpy.ndarray" && name != "numpy.dtype" && !detail::is_reconstruct(name))
      fail(at, "refusing to load the global " + name +
                   " (a dataset file holds only data and NumPy arrays; it may be corrupt or malicious)");
    Ref o = make(Kind::global);
    o->str = name;
    return o;
  }

  std::size_t base() const { return marks_.empty() ? 0 : marks_.back(); }
  void push(Ref o) { stack_.push_back(Slot{std::move(o), 0}); }
  void push_int(int64_t v) { stack_.push_back(Slot{nullptr, v}); }
  Slot pop(std::size_t at) {
    if (stack_.size() == base()) fail(at, "pop from an empty stack");
    Slot s = std::move(stack_.back());
    stack_.pop_back();
    return s;
  }
  const Slot& top(std::size_t at) const {
    if (stack_.size() == base()) fail(at, "the stack is empty");
    return stack_.back();
  }
  std::vector<Slot> pop_mark(std::size_t at) {
    if (marks_.empty()) fail(at, "no MARK on the stack");
    const std::size_t m = marks_.back();
    marks_.pop_back();
    std::vector<Slot> v(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
    stack_.resize(m);
    return v;
  }
  Slot get(uint64_t i, std::size_t at) const {
    auto it = memo_.find(i);
    if (it == memo_.end()) fail(at, "memo entry " + std::to_string(i) + " was never stored");
    return it->second;
  }
  Object& container(const Slot& s, Kind k, const char* op, std::size_t at) const {
    if (!s.obj || s.obj->kind != k)
      fail(at, std::string(op) + " on something that is not a " + (k == Kind::list ? "list" : "dict"));
    return *s.obj;
  }
  void set_items(Object& d, const std::vector<Slot>& kv, std::size_t at) {
    if (kv.size() % 2) fail(at, "a dict needs key-value pairs (an odd count of items)");
    for (std::size_t i = 0; i < kv.size(); i += 2) {
      Ref k = box(kv[i]), v = box(kv[i + 1]);
      bool replaced = false;
      if (k->kind == Kind::text || k->kind == Kind::bytes || k->kind == Kind::integer) {
        for (auto& [ek, ev] : d.entries)
          if (ek->kind == k->kind && ek->str == k->str && ek->integer == k->integer) {
            ev = v;
            replaced = true;
            break;
          }
      }
      if (!replaced) d.entries.emplace_back(k, v);
    }
  }

  // Depth-first from the root: a container met again while still open holds itself.
  void check_acyclic(const Ref& root) {
    std::unordered_set<const Object*> open;
    std::vector<std::pair<const Object*, std::size_t>> path{{root.get(), 0}};
    reachable_.insert(root.get());
    open.insert(root.get());
    while (!path.empty()) {
      auto& [o, next] = path.back();
      const std::size_t n = o->items.size() + 2 * o->entries.size();
      if (next == n) {
        open.erase(o);
        path.pop_back();
        continue;
      }
      const std::size_t k = next++;
      const Object* c = k < o->items.size()              ? o->items[k].get()
                        : (k - o->items.size()) % 2 == 0 ? o->entries[(k - o->items.size()) / 2].first.get()
                                                         : o->entries[(k - o->items.size()) / 2].second.get();
      if (open.count(c)) {
        reachable_.clear();
        fail(pos_ - 1, "a container holds itself (recursive structures are not dataset values)");
      }
      if (reachable_.insert(c).second) {
        open.insert(c);
        path.emplace_back(c, 0);
      }
    }
  }

  std::string_view in_;
  const std::string& ctx_;
  std::size_t pos_ = 0;
  std::vector<Slot> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<uint64_t, Slot> memo_;
  std::vector<std::weak_ptr<Object>> created_;   // every object made, for the teardown
  std::unordered_set<const Object*> reachable_;  // from the result (kept intact)
};

}  // namespace

const Object* Object::find(std::string_view key) const {
  for (const auto& [k, v] : entries)
    if ((k->kind == Kind::text || k->kind == Kind::bytes) && k->str == key) return v.get();
  return nullptr;
}

Ref load(std::string_view bytes, const std::string& ctx) { return Machine(bytes, ctx).run(); }

}  // namespace keras::datasets::pickle
