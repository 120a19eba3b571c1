// library.cuh - (CUDA-internal) a CUDA library the backend loads at its first use instead
// of linking it (cuBLAS, cuFFT, cuSOLVER): a process that never needs one never maps it.
// The soname of the major version the backend was compiled against is tried first, then
// the development files' unversioned name, then that soname in the directory of the loaded
// CUDA runtime (toolkits keep their libraries together). The library stays open for the
// process, as the handles and plans made from it do.
#pragma once
#include <string>

namespace keras::core::cuda {

class CudaLibrary {
 public:
  /// Loads lib`file`.so.`major` for `what` (the library's name in messages, "cuBLAS"), or
  /// throws CudaError naming it, `purpose` ("matrix products") and the loader's messages.
  CudaLibrary(const char* what, const char* file, int major, const char* purpose);
  /// Binds `fn` to the entry point `symbol`, typed by `fn`'s declaration; throws
  /// CudaError naming the symbol and the version the backend was built against.
  template <class F>
  void bind(F& fn, const std::string& symbol) const {
    fn = reinterpret_cast<F>(find(symbol));
  }

 private:
  void* find(const std::string& symbol) const;
  void* handle_ = nullptr;
  std::string what_, file_;
  int major_ = 0;
};

}  // namespace keras::core::cuda
