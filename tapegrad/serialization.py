"""Checkpoints: ``tg.save(obj, path)`` and ``tg.load(path)`` in a ``.npz`` file, never pickle.

A checkpoint holds nested dicts, lists and tuples of arrays, tensors, numbers, strings, bools
and None (a model's ``state_dict()``, an optimizer's, or a dict of both). Arrays go into the
``.npz`` as themselves; the structure around them is JSON, stored as one more array. Loading
uses ``np.load(..., allow_pickle=False)``, so a file that carries pickled objects runs no
code: it is refused.
"""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np

from tapegrad.tensor import Tensor

FORMAT = "tapegrad-checkpoint"
VERSION = 1
_STRUCTURE_KEY = "__tapegrad__"


def save(obj, path) -> None:
    """Write ``obj`` (a state dict, or nested dicts/lists of arrays and plain values) to
    ``path`` as ``.npz``.

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
    with open(os.fspath(path), "wb") as file:
        np.savez(file, **arrays)


def _encode(value, arrays: dict):
    """The JSON form of ``value``, with arrays moved into ``arrays`` and referred to by key."""
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc":
            raise TypeError(f"save: cannot store an array of dtype {value.dtype}")
        key = f"array_{len(arrays)}"
        arrays[key] = value
        return {"array": key}
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"value": value}
    if isinstance(value, dict):
        return {"dict": [[_encode(k, arrays), _encode(v, arrays)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        return {kind: [_encode(item, arrays) for item in value]}
    raise TypeError(
        f"save: cannot store a {type(value).__name__}; a checkpoint holds arrays, tensors, "
        "numbers, strings, bools, None, and dicts, lists and tuples of them"
    )


def load(path):
    """Read a checkpoint written by ``save``; arrays come back as NumPy arrays.

    A file that is not a tapegrad checkpoint, is truncated, or carries pickled objects is a
    ``ValueError`` (a missing one a ``FileNotFoundError``), and runs no code.

    >>> import tempfile, os, tapegrad as tg
    >>> path = os.path.join(tempfile.mkdtemp(), "opt.npz")
    >>> tg.save({"state": {0: {"momentum": np.zeros(2)}}}, path)
    >>> list(tg.load(path)["state"])
    [0]
    """
    path = os.fspath(path)
    try:
        if not os.path.isfile(path):
            raise FileNotFoundError(path)
        if not zipfile.is_zipfile(path):  # .npz files are zip archives; anything else is not ours
            raise ValueError(
                f"load: {path} is not a tapegrad checkpoint (not a complete .npz archive: "
                "truncated, or another format)"
            )
        with np.load(path, allow_pickle=False) as archive:
            if _STRUCTURE_KEY not in archive:
                raise ValueError(f"load: {path} is not a tapegrad checkpoint")
            header = json.loads(archive[_STRUCTURE_KEY].tobytes().decode("utf-8"))
            if header.get("format") != FORMAT:
                raise ValueError(f"load: {path} is not a tapegrad checkpoint")
            if header.get("version") != VERSION:
                raise ValueError(
                    f"load: {path} is a version {header.get('version')} checkpoint; this "
                    f"tapegrad reads version {VERSION}"
                )
            return _decode(header["structure"], archive)
    except FileNotFoundError:
        raise FileNotFoundError(f"load: no checkpoint file at {path}") from None
    except ValueError as error:
        if "allow_pickle" in str(error) or "pickle" in str(error).lower():
            raise ValueError(
                f"load: {path} carries pickled objects; tapegrad never unpickles a file"
            ) from None
        if str(error).startswith("load:"):
            raise
        raise ValueError(f"load: {path} is not a readable tapegrad checkpoint ({error})") from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError, UnicodeDecodeError) as error:
        raise ValueError(
            f"load: {path} is truncated or not a tapegrad checkpoint ({error})"
        ) from None


def _decode(node, archive):
    (kind, payload), = node.items()
    if kind == "array":
        return np.array(archive[payload])
    if kind == "value":
        return payload
    if kind == "dict":
        return {_decode(key, archive): _decode(value, archive) for key, value in payload}
    items = [_decode(item, archive) for item in payload]
    return items if kind == "list" else tuple(items)
