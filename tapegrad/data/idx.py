"""The IDX file format (MNIST's): a magic number, big-endian dimensions, then raw numbers.

The magic number's four bytes are ``0, 0, dtype code, number of dimensions``; each dimension
follows as a big-endian unsigned 32-bit integer, and then the data, row-major and big-endian.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np

# the IDX dtype codes; multi-byte numbers are stored big-endian
_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def parse_idx(raw: bytes, source: str = "<bytes>", magic: int | None = None) -> np.ndarray:
    """The array stored in the IDX bytes ``raw``, in native byte order and writable.

    ``magic``, when given, is the magic number the data must carry (``0x00000803`` for MNIST
    images: unsigned bytes in 3 dimensions). Errors are ``ValueError`` naming ``source``.

    >>> raw = bytes([0, 0, 0x08, 1]) + (3).to_bytes(4, "big") + bytes([7, 8, 9])
    >>> parse_idx(raw, magic=0x00000801)
    array([7, 8, 9], dtype=uint8)
    """
    dtype, shape, offset = _parse_header(raw, source, magic)
    count = math.prod(shape)
    expected = offset + count * dtype.itemsize
    if len(raw) != expected:
        problem = "is truncated" if len(raw) < expected else "has extra bytes"
        raise ValueError(f"{source}: {problem}: its header announces shape {shape}, "
                         f"{expected} bytes in all, but it holds {len(raw)}")
    array = np.frombuffer(raw, dtype, count=count, offset=offset).reshape(shape)
    # native order, since big-endian arrays are slow and surprise; the copy is also writable
    return array.astype(dtype.newbyteorder("="))


def _parse_header(raw: bytes, source: str, magic: int | None) -> tuple:
    """``(dtype, shape, offset of the data)`` from the header, after checking the magic."""
    if len(raw) < 4:
        raise ValueError(f"{source}: is truncated: {len(raw)} bytes, too short for the "
                         "4-byte IDX magic number")
    found = int.from_bytes(raw[:4], "big")
    if found >> 16 != 0 or raw[2] not in _DTYPES:
        raise ValueError(f"{source}: is not an IDX file: magic number 0x{found:08X}"
                         + _gzip_hint(raw))
    if magic is not None and found != magic:
        raise ValueError(f"{source}: magic number 0x{found:08X} ({_describe(found)}), "
                         f"expected 0x{magic:08X} ({_describe(magic)})")
    ndim = raw[3]
    offset = 4 + 4 * ndim
    if len(raw) < offset:
        raise ValueError(f"{source}: is truncated: {len(raw)} bytes, too short for a header "
                         f"with {ndim} dimensions ({offset} bytes)")
    shape = tuple(int(size) for size in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    return np.dtype(_DTYPES[raw[2]]), shape, offset


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


def read_idx(path: str | os.PathLike, magic: int | None = None) -> np.ndarray:
    """The array in the IDX file at ``path``, decompressed first when the name ends in ``.gz``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "labels-idx1-ubyte"
    ...     _ = path.write_bytes(bytes([0, 0, 0x08, 1, 0, 0, 0, 2, 4, 2]))
    ...     read_idx(path)
    array([4, 2], dtype=uint8)
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as file:
            raw = file.read()
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise ValueError(f"{path}: is not a complete gzip file ({error})") from error
    return parse_idx(raw, str(path), magic)
