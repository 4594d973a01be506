"""The IDX file format (MNIST's): a magic number, big-endian dimensions, then raw numbers.

The magic number's four bytes are ``0, 0, dtype code, number of dimensions``; each dimension
follows as a big-endian unsigned 32-bit integer, and then the data, row-major and big-endian.
The header is checked before any data is read, so a damaged or hostile file costs no more
than the size its header announces.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import zlib
from pathlib import Path

import numpy as np

# the IDX dtype codes; multi-byte numbers are stored big-endian
_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
# Deflate spends at least 2 bits on a 258-byte match: one gzip byte inflates to at most 1032.
_MAX_DEFLATE_RATIO = 1032


def parse_idx(raw: bytes, source: str = "<bytes>", magic: int | None = None) -> np.ndarray:
    """The array stored in the IDX bytes ``raw``, in native byte order and writable.

    ``magic``, when given, is the magic number the data must carry (``0x00000803`` for MNIST
    images: unsigned bytes in 3 dimensions). Errors are ``ValueError`` naming ``source``.

    >>> raw = bytes([0, 0, 0x08, 1]) + (3).to_bytes(4, "big") + bytes([7, 8, 9])
    >>> parse_idx(raw, magic=0x00000801)
    array([7, 8, 9], dtype=uint8)
    """
    file = io.BytesIO(raw)
    dtype, shape = _read_header(file, source, magic)
    _check_size(source, dtype, shape, len(raw))
    return _read_data(file, source, dtype, shape)


def read_idx(path: str | os.PathLike, magic: int | None = None) -> np.ndarray:
    """The array in the IDX file at ``path``, decompressed first when the name ends in ``.gz``.

    The header is read and checked first, and then exactly the data it announces: a file
    with less or more is a ``ValueError`` naming it, found without reading (or inflating)
    more than the header announces.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "labels-idx1-ubyte"
    ...     _ = path.write_bytes(bytes([0, 0, 0x08, 1, 0, 0, 0, 2, 4, 2]))
    ...     read_idx(path)
    array([4, 2], dtype=uint8)
    """
    path = Path(path)
    compressed = path.suffix == ".gz"
    try:
        with (gzip.open if compressed else open)(path, "rb") as file:
            dtype, shape = _read_header(file, str(path), magic)
            if compressed:
                _check_inflatable(path, dtype, shape)
            else:
                _check_size(str(path), dtype, shape, path.stat().st_size)
            return _read_data(file, str(path), dtype, shape)
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise ValueError(f"{path}: is not a complete gzip file ({error})") from error


def _read_header(file, source: str, magic: int | None) -> tuple:
    """``(dtype, shape)`` from the header at the start of ``file``, after checking the magic;
    leaves ``file`` at the first byte of data."""
    start = file.read(4)
    if len(start) < 4:
        raise ValueError(f"{source}: is truncated: {len(start)} bytes, too short for the "
                         "4-byte IDX magic number")
    found = int.from_bytes(start, "big")
    if found >> 16 != 0 or start[2] not in _DTYPES:
        raise ValueError(f"{source}: is not an IDX file: magic number 0x{found:08X}"
                         + _gzip_hint(start))
    if magic is not None and found != magic:
        raise ValueError(f"{source}: magic number 0x{found:08X} ({_describe(found)}), "
                         f"expected 0x{magic:08X} ({_describe(magic)})")
    ndim = start[3]
    dimensions = file.read(4 * ndim)
    if len(dimensions) < 4 * ndim:
        raise ValueError(f"{source}: is truncated: {4 + len(dimensions)} bytes, too short for "
                         f"a header with {ndim} dimensions ({_header_size(ndim)} bytes)")
    shape = tuple(int(size) for size in np.frombuffer(dimensions, ">u4"))
    return np.dtype(_DTYPES[start[2]]), shape


def _header_size(ndim: int) -> int:
    return 4 + 4 * ndim


def _announced_size(dtype: np.dtype, shape: tuple) -> int:
    """The file's size in bytes that the header announces: header and data."""
    return _header_size(len(shape)) + math.prod(shape) * dtype.itemsize


def _check_size(source: str, dtype: np.dtype, shape: tuple, size: int) -> None:
    """Compare the announced size with a file's known ``size`` before reading its data."""
    expected = _announced_size(dtype, shape)
    if size != expected:
        problem = "is truncated" if size < expected else "has extra bytes"
        raise ValueError(f"{source}: {problem}: its header announces shape {shape}, "
                         f"{expected} bytes in all, but it holds {size}")


def _check_inflatable(path: Path, dtype: np.dtype, shape: tuple) -> None:
    """Refuse a gzip file whose header announces more than its size can inflate to, before
    allocating for it."""
    expected, packed = _announced_size(dtype, shape), path.stat().st_size
    if expected > _MAX_DEFLATE_RATIO * packed:
        raise ValueError(f"{path}: is truncated: its header announces shape {shape}, "
                         f"{expected} bytes in all, more than {packed} gzip-compressed bytes "
                         f"can hold (deflate inflates at most {_MAX_DEFLATE_RATIO} times)")


def _read_data(file, source: str, dtype: np.dtype, shape: tuple) -> np.ndarray:
    """Exactly the data the header announces, and not a byte more, as a native array."""
    count = math.prod(shape)
    data = file.read(count * dtype.itemsize)
    expected = _announced_size(dtype, shape)
    if len(data) < count * dtype.itemsize:
        raise ValueError(f"{source}: is truncated: its header announces shape {shape}, "
                         f"{expected} bytes in all, but it holds "
                         f"{_header_size(len(shape)) + len(data)}")
    if file.read(1):  # one byte past the end is enough to know; the rest is never inflated
        raise ValueError(f"{source}: has extra bytes: its header announces shape {shape}, "
                         f"{expected} bytes in all, but more follow")
    array = np.frombuffer(data, dtype, count=count).reshape(shape)
    # native order, since big-endian arrays are slow and surprise; the copy is also writable
    return array.astype(dtype.newbyteorder("="))


def _describe(magic: int) -> str:
    """What a magic number announces, in words: ``"uint8, 3 dimensions"``."""
    code = magic >> 8 & 0xFF
    type_name = np.dtype(_DTYPES[code]).name if code in _DTYPES else "unknown type"
    return f"{type_name}, {magic & 0xFF} dimensions"


def _gzip_hint(raw: bytes) -> str:
    # a compressed file saved without its .gz suffix is the commonest way to get here
    if raw[:2] == b"\x1f\x8b":
        return "; it looks gzip-compressed, so name it with a .gz suffix"
    return ""
