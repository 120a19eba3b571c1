#!/usr/bin/env python3
# make_fixtures.py - writes the NumPy-made .npz fixtures of tests/core/test_npy.cpp (run here, with
# python3-numpy). keras_cpp_savez_compressed.npz is written by keras-cpp save_npz (the same arrays).
import numpy as np, io
arrays = dict(
    f32=np.array([[1.5, -2.0, 3.25], [0.0, 1e-3, -7.0]], dtype=np.float32),
    f64=np.array([np.pi, -1e300, 0.5, 2.0], dtype=np.float64),
    i32=np.array([[-2147483648, 2147483647], [0, -5]], dtype=np.int32),
    i64=np.array([-9223372036854775808, 9223372036854775807, 42], dtype=np.int64),
    u8=np.arange(250, 255, dtype=np.uint8),
    b=np.array([True, False, False, True]),
    scalar=np.array(2.5),
    empty=np.zeros((0, 3), dtype=np.float32),
)
np.savez('numpy_savez.npz', **arrays)
np.savez_compressed('numpy_savez_compressed.npz', **arrays)
class Unseekable(io.RawIOBase):
    def __init__(self, f): self.f = f
    def writable(self): return True
    def write(self, b): return self.f.write(b)
    def seekable(self): return False
with open('numpy_data_descriptor.npz', 'wb') as f:
    np.savez_compressed(Unseekable(f), a=np.arange(6, dtype=np.int64).reshape(2, 3), b=np.array([1.0, 2.0], dtype=np.float32))

# A small archive with every ZIP64 structure: limits lowered so Python's zipfile writes
# ZIP64 extra fields in the central directory and the ZIP64 end records.
import zipfile
zipfile.ZIP64_LIMIT = 64
zipfile.ZIP_FILECOUNT_LIMIT = 1
def npy(a):
    b = io.BytesIO(); np.save(b, a); return b.getvalue()
with zipfile.ZipFile('python_zip64.npz', 'w', compression=zipfile.ZIP_DEFLATED, allowZip64=True) as z:
    z.writestr('x.npy', npy(np.arange(5, dtype=np.int32)))
    z.writestr('y.npy', npy(np.array([[1.0, 2.0]], dtype=np.float64)))
