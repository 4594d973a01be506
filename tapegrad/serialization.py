"""Checkpoints: ``tg.save(obj, path)`` and ``tg.load(path)`` in a ``.npz`` file, never pickle.

A checkpoint holds nested dicts, lists and tuples of arrays, tensors, numbers, strings, bools
and None (a model's ``state_dict()``, an optimizer's, or a dict of both). Arrays go into the
``.npz`` as themselves; the structure around them is JSON, stored as one more array. Loading
uses ``np.load(..., allow_pickle=False)``, so a file that carries pickled objects runs no
code: it is refused.

A checkpoint is written to a temporary file beside its target and renamed over it, so a
crash or a full disk leaves the old checkpoint or the new one, never half of one. A file is
checked before its arrays are read: every size it claims is bounded by its real size, no part
of it is read twice, and anything malformed is one ``ValueError`` that names the file.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import stat
import struct
import zipfile
import zlib

import numpy as np

from tapegrad.tensor import Tensor

FORMAT = "tapegrad-checkpoint"
VERSION = 1
_STRUCTURE_KEY = "__tapegrad__"
# A state dict nests four or five levels; far deeper means a structure that contains itself
# (when saving) or a file built to exhaust the stack (when loading).
_MAX_DEPTH = 100
# Deflate spends at least 2 bits on a 258-byte match, so one stored byte inflates to at most
# 258 * 8 / 2 = 1032 bytes; a member that claims more is lying.
_MAX_DEFLATE_RATIO = 1032
_ZIP_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then the name's and extra's lengths
_ARRAY_KINDS = "biufc"  # bool, integers, floats, complex: what save stores


class _Refused(ValueError):
    """What is wrong with a checkpoint, worded to follow the file's name."""


# ---------------------------------------------------------------------- save


def save(obj, path) -> None:
    """Write ``obj`` (a state dict, or nested dicts/lists of arrays and plain values) to
    ``path`` as ``.npz``, replacing any file there only once the new one is complete.

    >>> import tempfile, os, tapegrad as tg
    >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
    >>> tg.save({"weight": np.ones(2), "step": 3}, path)
    >>> tg.load(path)["step"]
    3
    """
    arrays = {}
    structure = _encode(obj, arrays)
    header = json.dumps({"format": FORMAT, "version": VERSION, "structure": structure})
    arrays[_STRUCTURE_KEY] = np.frombuffer(header.encode("utf-8"), dtype=np.uint8)
    _write_atomically(os.fspath(path), lambda file: np.savez(file, **arrays))


def _encode(value, arrays: dict, depth: int = 0):
    """The JSON form of ``value``, with arrays moved into ``arrays`` and referred to by key."""
    if depth > _MAX_DEPTH:
        raise ValueError(f"save: the structure nests deeper than {_MAX_DEPTH} levels; "
                         "does a list or dict contain itself?")
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in _ARRAY_KINDS:
            raise TypeError(f"save: cannot store an array of dtype {value.dtype}")
        key = f"array_{len(arrays)}"
        arrays[key] = value
        return {"array": key}
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"value": value}
    if isinstance(value, dict):
        return {"dict": [[_encode(k, arrays, depth + 1), _encode(v, arrays, depth + 1)]
                         for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        return {kind: [_encode(item, arrays, depth + 1) for item in value]}
    raise TypeError(
        f"save: cannot store a {type(value).__name__}; a checkpoint holds arrays, tensors, "
        "numbers, strings, bools, None, and dicts, lists and tuples of them"
    )


def _write_atomically(path: str, write) -> None:
    """Run ``write(file)`` on a new file beside ``path``, then rename it over ``path``.

    The rename is atomic, so a reader (or a crash) sees the old file or the new one; on any
    error the temporary file is removed and the old file is left as it was.
    """
    target = os.path.realpath(path)  # through a symlink to its file, as open() would write
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save: no folder {folder} to write {path} in")
    # Same folder, so the rename never crosses file systems; the random part keeps two
    # processes saving to one path from sharing a temporary file.
    temporary = os.path.join(folder, f".{os.path.basename(target)}.{os.urandom(6).hex()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                         | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())  # on disk before the rename makes it the checkpoint
        with contextlib.suppress(FileNotFoundError):  # a replaced file keeps its permissions
            os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)


def _sync_folder(folder: str) -> None:
    # On POSIX a rename is durable only once the folder's entry reaches the disk too.
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):  # some file systems cannot sync a folder; the file is
        descriptor = os.open(folder, os.O_RDONLY)  # saved all the same
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


# ---------------------------------------------------------------------- load


def load(path):
    """Read a checkpoint written by ``save``; arrays come back as NumPy arrays.

    A file that is not a tapegrad checkpoint, is truncated, claims more data than its size
    can hold, or carries pickled objects is a ``ValueError`` naming the file and the problem
    (a missing one a ``FileNotFoundError``), and runs no code.

    >>> import tempfile, os, tapegrad as tg
    >>> path = os.path.join(tempfile.mkdtemp(), "opt.npz")
    >>> tg.save({"state": {0: {"momentum": np.zeros(2)}}}, path)
    >>> list(tg.load(path)["state"])
    [0]
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load: no checkpoint file at {path}")
    with open(path, "rb") as file:
        try:
            return _read_checkpoint(file)
        except _Refused as problem:
            raise ValueError(f"load: {path} {problem}") from None
        # What zipfile, zlib and NumPy raise on damaged bytes (and the stack's limit, which
        # json reaches on deep nesting): all of it means a file that is not what it claims.
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error,
                NotImplementedError, RecursionError, OverflowError) as error:
            raise ValueError(f"load: {path} is truncated or not a tapegrad checkpoint "
                             f"({type(error).__name__}: {error})") from None


def _read_checkpoint(file):
    size = os.fstat(file.fileno()).st_size
    _check_start(file, size)
    with np.load(file, allow_pickle=False) as archive:
        _check_directory(archive.zip.infolist(), file, size)
        arrays = _ArrayReader(archive)
        return _decode(_read_structure(arrays), arrays)


def _check_start(file, size: int) -> None:
    if size == 0:
        raise _Refused("is not a tapegrad checkpoint: it is empty")
    start = file.read(4)
    file.seek(0)
    # np.load would read a .npy or pickle as well; a checkpoint is a zip with members.
    if start != b"PK\x03\x04":
        raise _Refused(f"is not a tapegrad checkpoint: it starts with {start!r}, not like a "
                       ".npz (zip) archive")


def _check_directory(members: list, file, size: int) -> None:
    """Refuse a zip directory whose claims the file cannot back: sizes beyond what it holds,
    and members that share bytes (the way zip bombs inflate the same data many times)."""
    names, extents = set(), []
    for info in members:
        if info.filename in names:
            raise _Refused(f"is damaged: its zip directory lists member {info.filename!r} "
                           "twice")
        names.add(info.filename)
        _check_sizes(info)
        extents.append((info.header_offset, _data_end(file, info, size), info.filename))
    extents.sort()
    for (start, end, name), (next_start, _, next_name) in zip(extents, extents[1:]):
        if next_start < end:
            shared = "the same data" if next_start == start else "overlapping bytes"
            raise _Refused(f"is damaged: members {name!r} and {next_name!r} point at {shared}")


def _check_sizes(info: zipfile.ZipInfo) -> None:
    where = f"member {info.filename!r}"
    if info.flag_bits & 0x1:
        raise _Refused(f"is not a tapegrad checkpoint: {where} is encrypted")
    if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
        raise _Refused(f"is damaged: {where} is stored uncompressed in {info.compress_size} "
                       f"bytes but claims {info.file_size}")
    if info.compress_type == zipfile.ZIP_DEFLATED and (
            info.file_size > _MAX_DEFLATE_RATIO * info.compress_size):
        raise _Refused(f"is damaged: {where} claims to inflate {info.compress_size} bytes to "
                       f"{info.file_size}, more than deflate can ({_MAX_DEFLATE_RATIO} times)")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _Refused(f"is not a tapegrad checkpoint: {where} uses compression method "
                       f"{info.compress_type}; checkpoints are stored or deflated")


def _data_end(file, info: zipfile.ZipInfo, size: int) -> int:
    """Where ``info``'s compressed data ends, from its local header; within the file."""
    file.seek(info.header_offset)
    local = file.read(_ZIP_LOCAL_HEADER.size)
    if len(local) < _ZIP_LOCAL_HEADER.size or local[:4] != b"PK\x03\x04":
        raise _Refused(f"is damaged: member {info.filename!r} has no local header at byte "
                       f"{info.header_offset}")
    _, name_length, extra_length = _ZIP_LOCAL_HEADER.unpack(local)
    end = info.header_offset + len(local) + name_length + extra_length + info.compress_size
    if end > size:
        raise _Refused(f"is truncated: member {info.filename!r} ends at byte {end} of a "
                       f"{size}-byte file")
    return end


class _ArrayReader:
    """Reads the checkpoint's arrays, each at most once, after checking its ``.npy`` header
    against the member's size, so no header can make NumPy allocate more than the file holds.
    """

    def __init__(self, archive) -> None:
        self.archive = archive
        self.taken: set[str] = set()

    def take(self, key: str) -> np.ndarray:
        name = f"{key}.npy"
        if key in self.taken:
            raise _Refused(f"is damaged: its structure refers to array {key!r} twice; a "
                           "checkpoint stores each array once")
        self.taken.add(key)
        try:
            info = self.archive.zip.getinfo(name)
        except KeyError:
            raise _Refused(f"is damaged: its structure refers to array {key!r}, which the "
                           "file does not hold") from None
        with self.archive.zip.open(info) as member:
            _check_npy_header(member, info)
        return self.archive[name]


_MAX_HEADER_BYTES = 4096  # a 32-dimensional shape's header needs some 300


def _check_npy_header(member, info: zipfile.ZipInfo) -> None:
    """Refuse an ``.npy`` header that is malformed, holds objects, or announces a number of
    bytes other than the member holds."""
    where = f"member {info.filename!r}"
    readers = {(1, 0): np.lib.format.read_array_header_1_0,
               (2, 0): np.lib.format.read_array_header_2_0}
    try:
        version = np.lib.format.read_magic(member)
        if version not in readers:  # 3.0 only adds text field names, which save never writes
            raise ValueError(f"format version {version}, not 1.0 or 2.0")
        # A checkpoint's headers are short; a long one is refused before NumPy parses it
        # (its tokenizer takes time in proportion to hostile text).
        shape, _, dtype = readers[version](member, max_header_size=_MAX_HEADER_BYTES)
    # NumPy's header parser raises many kinds of errors on hostile text (ValueError,
    # SyntaxError, MemoryError, ...); to the caller each is one malformed header.
    except Exception as error:
        detail = f"{type(error).__name__}: {error}"
        if "max_header_size" in detail:  # NumPy's advice there (allow_pickle) is not ours
            detail = f"a header longer than {_MAX_HEADER_BYTES} bytes"
        raise _Refused(f"is damaged: {where} has no valid .npy header ({detail})") from None
    if dtype.hasobject:
        raise _Refused(f"carries pickled objects ({where} holds an array of dtype object); "
                       "tapegrad never unpickles a file")
    if dtype.kind not in _ARRAY_KINDS:
        raise _Refused(f"is not a tapegrad checkpoint: {where} holds an array of dtype "
                       f"{dtype}; checkpoints hold numbers and bools")
    if any(length < 0 for length in shape):
        raise _Refused(f"is damaged: {where} announces the shape {shape}")
    announced = math.prod(shape) * dtype.itemsize
    held = info.file_size - member.tell()
    if announced != held:
        raise _Refused(f"is damaged: {where} announces shape {shape} of {dtype}, "
                       f"{announced} bytes, but holds {held}")


def _read_structure(arrays: _ArrayReader):
    """The JSON structure stored beside the arrays, after checking its format and version."""
    if f"{_STRUCTURE_KEY}.npy" not in arrays.archive.zip.namelist():
        raise _Refused(f"is not a tapegrad checkpoint: it has no {_STRUCTURE_KEY} member")
    raw = arrays.take(_STRUCTURE_KEY)
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise _Refused(f"is damaged: its {_STRUCTURE_KEY} member is not text")
    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except RecursionError:
        raise _Refused("is damaged: its structure nests too deeply to read") from None
    except ValueError as error:  # invalid UTF-8 or JSON
        raise _Refused(f"is damaged: its structure is not JSON text ({error})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT or (
            "structure" not in header):
        raise _Refused("is not a tapegrad checkpoint")
    if header.get("version") != VERSION:
        raise _Refused(f"is a version {header.get('version')} checkpoint; this tapegrad reads "
                       f"version {VERSION}")
    return header["structure"]


def _decode(node, arrays: _ArrayReader, depth: int = 0):
    """The value a JSON ``node`` written by ``_encode`` stands for; refuses any other shape."""
    if depth > _MAX_DEPTH:
        raise _Refused(f"is damaged: its structure nests deeper than {_MAX_DEPTH} levels")
    if isinstance(node, dict) and len(node) == 1:
        (kind, payload), = node.items()
        if kind == "array" and isinstance(payload, str):
            return arrays.take(payload)
        if kind == "value" and (payload is None or isinstance(payload, (bool, int, float, str))):
            return payload
        if kind in ("list", "tuple") and isinstance(payload, list):
            items = [_decode(item, arrays, depth + 1) for item in payload]
            return items if kind == "list" else tuple(items)
        if kind == "dict" and isinstance(payload, list):
            return dict(_decode_pair(pair, arrays, depth + 1) for pair in payload)
    raise _Refused(f"is damaged: its structure holds {_preview(node)}, which save never writes")


def _decode_pair(pair, arrays: _ArrayReader, depth: int) -> tuple:
    if not (isinstance(pair, list) and len(pair) == 2):
        raise _Refused(f"is damaged: its structure holds {_preview(pair)} where a "
                       "[key, value] pair belongs")
    key = _decode(pair[0], arrays, depth)
    try:
        hash(key)
    except TypeError:
        raise _Refused(f"is damaged: its structure has a dict key of type "
                       f"{type(key).__name__}") from None
    return key, _decode(pair[1], arrays, depth)


def _preview(node) -> str:
    """A short description of a JSON node for an error, safe on any size or depth."""
    if isinstance(node, dict):
        return f"an object with keys {sorted(node)[:4]}"
    if isinstance(node, list):
        return f"a list of {len(node)} items"
    return repr(node)[:60]
