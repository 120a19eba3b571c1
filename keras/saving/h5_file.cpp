// h5_file.cpp - Keras 3's HDF5 weight files in memory, through the HDF5 C library
// (h5_file.h). The library is not thread-safe in Debian's build: every use holds one lock.
#include "keras/saving/h5_file.h"

#include <hdf5.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "keras/saving/format.h"

namespace keras::saving::detail {

using format::FormatError;

namespace {
std::mutex& h5_mutex() {
  static std::mutex m;
  return m;
}

// Closes an HDF5 handle with the right function when it goes out of scope.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// A name no other open in-memory file has (the core driver keys open files by name).
std::string unique_name(const char* what) {
  static std::atomic<uint64_t> n{0};
  return std::string("keras-cpp-") + what + "-" + std::to_string(n++) + ".h5";
}

void quiet() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }  // errors are ours to report

// The native HDF5 type of a numeric dtype's elements in memory.
hid_t memory_type(DType dt) {
  switch (dt) {
    case DType::float32: return H5T_NATIVE_FLOAT;
    case DType::float64: return H5T_NATIVE_DOUBLE;
    case DType::int8: return H5T_NATIVE_INT8;
    case DType::int16: return H5T_NATIVE_INT16;
    case DType::int32: return H5T_NATIVE_INT32;
    case DType::int64: return H5T_NATIVE_INT64;
    case DType::uint16: return H5T_NATIVE_UINT16;
    case DType::uint32: return H5T_NATIVE_UINT32;
    default: return H5T_NATIVE_UINT8;
  }
}

struct Reader {
  const std::string& source;
  const H5Limits& limits;
  uint64_t file_bytes;
  H5Contents out;
  int64_t objects = 0;
  uint64_t attribute_bytes = 0;

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw FormatError(source + ": '" + (path.empty() ? "/" : path) + "' in the HDF5 weights: " + what);
  }

  DType dtype_of(hid_t type, const std::string& path) const {
    const H5T_class_t cls = H5Tget_class(type);
    const size_t size = H5Tget_size(type);
    if (cls == H5T_FLOAT && size == 4) return DType::float32;
    if (cls == H5T_FLOAT && size == 8) return DType::float64;
    // float16 (NumPy's '<f2') and bfloat16 (ml_dtypes', which h5py stores as 2-byte opaque
    // elements), read as their bits.
    if (cls == H5T_FLOAT && size == 2) {
      size_t spos, epos, esize, mpos, msize;
      if (H5Tget_order(type) == H5T_ORDER_LE && H5Tget_fields(type, &spos, &epos, &esize, &mpos, &msize) >= 0 &&
          spos == 15 && epos == 10 && esize == 5 && mpos == 0 && msize == 10)
        return DType::float16;
    }
    if (cls == H5T_OPAQUE && size == 2) return DType::bfloat16;
    if (cls == H5T_INTEGER) {
      const bool sign = H5Tget_sign(type) == H5T_SGN_2;
      if (sign && size == 1) return DType::int8;
      if (sign && size == 2) return DType::int16;
      if (sign && size == 4) return DType::int32;
      if (sign && size == 8) return DType::int64;
      if (!sign && size == 1) return DType::uint8;
      if (!sign && size == 2) return DType::uint16;
      if (!sign && size == 4) return DType::uint32;
    }
    fail(path, "unsupported element type (class " + std::to_string(int(cls)) + ", " + std::to_string(size) +
                   " bytes); expected float16, bfloat16, float32, float64, int8, int16, int32, int64, uint8, uint16 or "
                   "uint32");
  }

  void dataset(hid_t d, const std::string& path) {
    Handle space(H5Dget_space(d), H5Sclose);
    if (!space.ok()) fail(path, "cannot read its dataspace");
    const H5S_class_t sc = H5Sget_simple_extent_type(space.get());
    if (sc != H5S_SIMPLE && sc != H5S_SCALAR) fail(path, "expected a simple or scalar dataspace");
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0 || rank > limits.max_rank)
      fail(path, "rank " + std::to_string(rank) + " is out of range [0, " + std::to_string(limits.max_rank) + "]");
    std::vector<hsize_t> dims(size_t(rank) + 1);
    if (H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) != rank) fail(path, "cannot read its shape");
    std::vector<int64_t> shape;
    for (int i = 0; i < rank; ++i) {
      if (dims[size_t(i)] > (hsize_t{1} << 40)) fail(path, "dimension " + std::to_string(dims[size_t(i)]) + " is too large");
      shape.push_back(int64_t(dims[size_t(i)]));
    }
    const core::Shape s(shape);  // overflow-checked
    Handle type(H5Dget_type(d), H5Tclose);
    if (!type.ok()) fail(path, "cannot read its element type");
    const DType dt = dtype_of(type.get(), path);
    const uint64_t bytes = uint64_t(s.num_elements()) * core::dtype_size(dt);
    Handle dcpl(H5Dget_create_plist(d), H5Pclose);
    if (!dcpl.ok() || H5Pget_nfilters(dcpl.get()) != 0)
      fail(path, "the dataset is compressed or filtered (Keras writes plain datasets)");
    const hsize_t stored = H5Dget_storage_size(d);
    if (bytes > 0 && (stored < bytes || stored > file_bytes))
      fail(path, "its shape " + s.str() + " needs " + std::to_string(bytes) + " bytes, but " + std::to_string(stored) +
                     " are stored in a file of " + std::to_string(file_bytes) + " bytes");
    const hid_t mem = core::is_half(dt) ? type.get() : memory_type(dt);  // half: the stored bits
    std::vector<unsigned char> buf(static_cast<size_t>(bytes) + 1);
    if (bytes > 0 && H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0) fail(path, "cannot read its data");
    out.datasets.emplace(path, core::from_buffer(buf.data(), s, dt));
  }

  // One attribute of a group: kept when it holds strings (or is an empty list).
  void attribute(hid_t a, const std::string& path, const std::string& name) {
    Handle space(H5Aget_space(a), H5Sclose);
    Handle type(H5Aget_type(a), H5Tclose);
    if (!space.ok() || !type.ok()) fail(path, "cannot read the attribute '" + name + "'");
    if (H5Sget_simple_extent_ndims(space.get()) > 1) return;  // (not a list)
    const hssize_t points = H5Sget_simple_extent_npoints(space.get());
    if (points < 0 || points > limits.max_objects) fail(path, "the attribute '" + name + "' has too many elements");
    const size_t n = size_t(points);
    std::vector<std::string> values;
    if (H5Tget_class(type.get()) != H5T_STRING) {
      if (n == 0) out.string_attributes[path][name] = {};
      return;
    }
    auto charge = [&](uint64_t bytes) {
      attribute_bytes += bytes;
      if (attribute_bytes > limits.max_attribute_bytes)
        fail(path, "the string attributes exceed " + std::to_string(limits.max_attribute_bytes) + " bytes");
    };
    if (H5Tis_variable_str(type.get()) > 0) {
      Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
      H5Tset_size(mem.get(), H5T_VARIABLE);
      H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
      std::vector<char*> ptrs(n + 1, nullptr);
      if (H5Aread(a, mem.get(), ptrs.data()) < 0) fail(path, "cannot read the attribute '" + name + "'");
      for (size_t i = 0; i < n; ++i) {
        const size_t len = ptrs[i] ? std::strlen(ptrs[i]) : 0;
        charge(len);
        values.emplace_back(ptrs[i] ? ptrs[i] : "", len);
      }
      H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
    } else {
      const size_t size = H5Tget_size(type.get());
      if (size == 0 || size > limits.max_attribute_bytes) fail(path, "the attribute '" + name + "' has a bad string size");
      charge(uint64_t(size) * n);
      std::vector<char> buf(size * n + 1, '\0');
      Handle mem(H5Tcopy(type.get()), H5Tclose);
      if (n > 0 && H5Aread(a, mem.get(), buf.data()) < 0) fail(path, "cannot read the attribute '" + name + "'");
      for (size_t i = 0; i < n; ++i) {
        const char* p = buf.data() + i * size;
        values.emplace_back(p, strnlen(p, size));
      }
    }
    out.string_attributes[path][name] = std::move(values);
  }

  void attributes(hid_t g, const std::string& path) {
    struct Visit {
      Reader* self;
      const std::string* path;
      int64_t count = 0;
      std::exception_ptr error;
    } visit{this, &path, 0, nullptr};
    // (No exception may cross the HDF5 library: the callback keeps it for after.)
    auto each = [](hid_t loc, const char* name, const H5A_info_t*, void* data) -> herr_t {
      auto* v = static_cast<Visit*>(data);
      try {
        if (++v->count > v->self->limits.max_objects) v->self->fail(*v->path, "too many attributes");
        if (std::strlen(name) > v->self->limits.max_name) v->self->fail(*v->path, "an attribute name is too long");
        Handle a(H5Aopen(loc, name, H5P_DEFAULT), H5Aclose);
        if (!a.ok()) v->self->fail(*v->path, std::string("cannot open the attribute '") + name + "'");
        v->self->attribute(a.get(), *v->path, name);
      } catch (...) {
        v->error = std::current_exception();
        return -1;
      }
      return 0;
    };
    hsize_t index = 0;
    const herr_t rc = H5Aiterate2(g, H5_INDEX_NAME, H5_ITER_INC, &index, each, &visit);
    if (visit.error) std::rethrow_exception(visit.error);
    if (rc < 0) fail(path, "cannot list the group's attributes");
  }

  void group(hid_t g, const std::string& path, int depth) {
    if (depth > limits.max_depth) fail(path, "groups nested deeper than " + std::to_string(limits.max_depth));
    out.groups.insert(path);
    attributes(g, path);
    H5G_info_t info;
    if (H5Gget_info(g, &info) < 0) fail(path, "cannot list the group");
    if (int64_t(info.nlinks) > limits.max_objects - objects)
      fail(path, "more than " + std::to_string(limits.max_objects) + " objects in the file");
    for (hsize_t i = 0; i < info.nlinks; ++i) {
      const ssize_t len = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
      if (len <= 0 || size_t(len) > limits.max_name) fail(path, "a link name is empty or too long");
      std::string name(size_t(len) + 1, '\0');
      H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
      name.resize(size_t(len));
      if (name.find('/') != std::string::npos || name == "." || name == "..") fail(path, "a bad link name");
      const std::string child = path.empty() ? name : path + "/" + name;
      H5L_info_t link;
      if (H5Lget_info(g, name.c_str(), &link, H5P_DEFAULT) < 0) fail(child, "cannot read the link");
      if (link.type != H5L_TYPE_HARD) fail(child, "soft and external links are not accepted");
      ++objects;
      Handle obj(H5Oopen(g, name.c_str(), H5P_DEFAULT), H5Oclose);
      if (!obj.ok()) fail(child, "cannot open it");
      const H5I_type_t kind = H5Iget_type(obj.get());
      if (kind == H5I_GROUP) {
        if (out.groups.count(child)) fail(child, "the group is reached twice (hard-link cycle)");
        group(obj.get(), child, depth + 1);
      } else if (kind == H5I_DATASET) {
        if (out.datasets.count(child)) fail(child, "the dataset is reached twice");
        dataset(obj.get(), child);
      } else {
        fail(child, "expected a group or a dataset");
      }
    }
  }
};
}  // namespace

H5Contents read_h5(std::string_view bytes, const std::string& source, const H5Limits& limits) {
  static constexpr char kSignature[] = "\x89HDF\r\n\x1a\n";
  if (bytes.size() < 8 || bytes.substr(0, 8) != std::string_view(kSignature, 8))
    throw FormatError(source + ": not an HDF5 file (no HDF5 signature at its start)");
  std::lock_guard<std::mutex> lock(h5_mutex());
  quiet();
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (!fapl.ok() || H5Pset_fapl_core(fapl.get(), 1 << 20, 0) < 0 ||
      H5Pset_file_image(fapl.get(), const_cast<char*>(bytes.data()), bytes.size()) < 0)
    throw FormatError(source + ": cannot hand the HDF5 file to the HDF5 library");
  Handle file(H5Fopen(unique_name("read").c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose);
  if (!file.ok()) throw FormatError(source + ": not a valid HDF5 file (the HDF5 library cannot open it)");
  Handle root(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose);
  if (!root.ok()) throw FormatError(source + ": cannot open the root group of the HDF5 file");
  Reader r{source, limits, bytes.size(), {}};
  r.group(root.get(), "", 0);
  return std::move(r.out);
}

namespace {
// The element types Keras's files hold half floats in (h5py's): IEEE binary16,
// little-endian, and 2-byte opaque elements for bfloat16.
hid_t half_type(DType dt) {
  static const hid_t f16 = [] {
    const hid_t t = H5Tcopy(H5T_IEEE_F32LE);
    H5Tset_fields(t, 15, 10, 5, 0, 10);
    H5Tset_size(t, 2);
    H5Tset_ebias(t, 15);
    return t;
  }();
  static const hid_t bf16 = H5Tcreate(H5T_OPAQUE, 2);
  return dt == DType::float16 ? f16 : bf16;
}

hid_t file_type(DType dt) {
  switch (dt) {
    case DType::float16:
    case DType::bfloat16: return half_type(dt);
    case DType::float32: return H5T_IEEE_F32LE;
    case DType::float64: return H5T_IEEE_F64LE;
    case DType::int32: return H5T_STD_I32LE;
    case DType::int64: return H5T_STD_I64LE;
    case DType::uint8: return H5T_STD_U8LE;
    case DType::int8: return H5T_STD_I8LE;
    case DType::int16: return H5T_STD_I16LE;
    case DType::uint16: return H5T_STD_U16LE;
    case DType::uint32: return H5T_STD_U32LE;
    default: return -1;
  }
}
[[noreturn]] void write_fail(const std::string& what) { throw std::runtime_error("writing HDF5 weights: " + what); }

void string_attribute(hid_t obj, const char* key, const std::string& value) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(H5Acreate2(obj, key, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  const char* p = value.c_str();
  if (!attr.ok() || H5Awrite(attr.get(), type.get(), &p) < 0) write_fail("cannot write the attribute " + std::string(key));
}

// A list of variable-length UTF-8 strings.
void string_list_attribute(hid_t obj, const char* key, const std::vector<std::string>& values) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle attr(H5Acreate2(obj, key, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  std::vector<const char*> p;
  for (const std::string& v : values) p.push_back(v.c_str());
  if (!attr.ok() || (n > 0 && H5Awrite(attr.get(), type.get(), p.data()) < 0))
    write_fail("cannot write the attribute " + std::string(key));
}
}  // namespace

std::string write_h5(const std::vector<std::pair<std::string, std::string>>& groups,
                     const std::vector<std::pair<std::string, Tensor>>& datasets,
                     const std::vector<H5StringAttribute>& attributes) {
  std::lock_guard<std::mutex> lock(h5_mutex());
  quiet();
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (!fapl.ok() || H5Pset_fapl_core(fapl.get(), 1 << 20, 0) < 0) write_fail("cannot set up an in-memory file");
  Handle file(H5Fcreate(unique_name("write").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose);
  if (!file.ok()) write_fail("cannot create an in-memory file");
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  for (const auto& [path, name] : groups) {
    if (path.empty()) continue;
    Handle g(H5Gcreate2(file.get(), path.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    if (!g.ok()) write_fail("cannot create the group '" + path + "'");
    if (!name.empty()) string_attribute(g.get(), "name", name);
  }
  for (const auto& [path, tensor] : datasets) {
    const Tensor t = tensor.cpu();
    if (file_type(t.dtype()) < 0)
      write_fail("'" + path + "' has dtype " + core::dtype_name(t.dtype()) + ", which the file cannot hold");
    std::vector<hsize_t> dims;
    for (int64_t d : t.shape().dims()) dims.push_back(hsize_t(d));
    Handle space(dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(int(dims.size()), dims.data(), nullptr),
                 H5Sclose);
    Handle d(H5Dcreate2(file.get(), path.c_str(), file_type(t.dtype()), space.get(), lcpl.get(), H5P_DEFAULT,
                        H5P_DEFAULT),
             H5Dclose);
    if (!d.ok()) write_fail("cannot create the dataset '" + path + "'");
    if (t.shape().num_elements() > 0 &&
        H5Dwrite(d.get(), core::is_half(t.dtype()) ? file_type(t.dtype()) : memory_type(t.dtype()), H5S_ALL, H5S_ALL, H5P_DEFAULT, t.raw_data()) < 0)
      write_fail("cannot write the dataset '" + path + "'");
  }
  for (const H5StringAttribute& a : attributes) {
    Handle g(H5Oopen(file.get(), a.group.empty() ? "/" : a.group.c_str(), H5P_DEFAULT), H5Oclose);
    if (!g.ok()) write_fail("cannot open the group '" + a.group + "' for its attribute " + a.name);
    if (a.scalar && a.values.size() != 1) write_fail("the scalar attribute " + a.name + " needs one value");
    if (a.scalar)
      string_attribute(g.get(), a.name.c_str(), a.values[0]);
    else
      string_list_attribute(g.get(), a.name.c_str(), a.values);
  }
  if (H5Fflush(file.get(), H5F_SCOPE_GLOBAL) < 0) write_fail("cannot flush the in-memory file");
  const ssize_t size = H5Fget_file_image(file.get(), nullptr, 0);
  if (size <= 0) write_fail("cannot take the file's image");
  std::string out(size_t(size), '\0');
  if (H5Fget_file_image(file.get(), out.data(), out.size()) != size) write_fail("cannot take the file's image");
  return out;
}

}  // namespace keras::saving::detail
