"""tg.load on hostile and damaged files: one ValueError naming the file, fast, in little memory.

Each file is built byte by byte in tmp_path: zip bombs that inflate one member many times,
.npy headers that claim terabytes, truncations, garbage and deeply nested structures.
"""

import io
import json
import struct
import time
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest

import tapegrad as tg

STORED, DEFLATED, BZIP2 = 0, 8, 12
MEMORY_LIMIT = 8 * 2**20  # bytes a refusal may allocate; the bombs below unpack to 100s of MB


def _refused(path, match: str) -> str:
    """Load ``path``, expecting a ValueError that names it and matches ``match``, raised in
    well under a second and a few megabytes; returns the message."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ValueError, match=match) as caught:
            tg.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 1.0
    assert peak < MEMORY_LIMIT, f"refusing {path} allocated {peak} bytes"
    message = str(caught.value)
    assert str(path) in message
    return message


# ---------------------------------------------------------------------- building files


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _npy_with_header(header: str, data: bytes = b"", version=(1, 0)) -> bytes:
    """An .npy file with ``header`` as its header text, written as is."""
    text = header.encode("latin1")
    length = struct.pack("<H" if version == (1, 0) else "<I", len(text))
    return b"\x93NUMPY" + bytes(version) + length + text + data


def _structure(structure, **header) -> bytes:
    text = json.dumps({"format": "tapegrad-checkpoint", "version": 1, "structure": structure,
                       **header})
    return _npy(np.frombuffer(text.encode(), dtype=np.uint8))


class ZipWriter:
    """A zip archive written by hand, so its directory can say things zipfile never would."""

    def __init__(self) -> None:
        self.body = bytearray()
        self.directory = []

    def member(self, name: str, data: bytes, method: int = STORED, listed: bool = True):
        """Write a member's local header and data; list it in the directory unless told not
        to; return its directory entry, for listing it again."""
        packed = data
        if method == DEFLATED:
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            packed = compressor.compress(data) + compressor.flush()
        entry = {"name": name, "method": method, "crc": zlib.crc32(data), "flags": 0,
                 "compressed": len(packed), "size": len(data), "offset": len(self.body)}
        encoded = name.encode()
        self.body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, entry["crc"],
                                 len(packed), len(data), len(encoded), 0) + encoded + packed
        if listed:
            self.directory.append(entry)
        return entry

    def list(self, entry: dict, **changes) -> None:
        """List ``entry`` (again), with any of its fields changed."""
        self.directory.append({**entry, **changes})

    def write(self, path) -> None:
        central = bytearray()
        for entry in self.directory:
            encoded = entry["name"].encode()
            central += struct.pack(
                "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, entry["flags"], entry["method"], 0, 0,
                entry["crc"], entry["compressed"], entry["size"], len(encoded), 0, 0, 0, 0, 0,
                entry["offset"]) + encoded
        end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(self.directory),
                          len(self.directory), len(central), len(self.body), 0)
        path.write_bytes(bytes(self.body + central + end))


def _checkpoint(path, structure, arrays: dict, method: int = STORED):
    """A checkpoint written by hand: ``arrays`` maps member names to .npy bytes."""
    writer = ZipWriter()
    for name, data in arrays.items():
        writer.member(name, data, method)
    writer.member("__tapegrad__.npy", _structure(structure))
    writer.write(path)
    return path


@pytest.fixture
def saved(tmp_path):
    """The bytes of a small real checkpoint."""
    path = tmp_path / "real.npz"
    tg.save({"weight": np.arange(6.0).reshape(2, 3), "step": 3, "names": ["a", None]}, path)
    return path.read_bytes()


def test_the_hand_written_zip_is_a_loadable_checkpoint(tmp_path):
    path = _checkpoint(tmp_path / "ok.npz", {"array": "array_0"},
                       {"array_0.npy": _npy(np.arange(3.0))}, DEFLATED)
    np.testing.assert_array_equal(tg.load(path), np.arange(3.0))


# ---------------------------------------------------------------------- zip bombs


def test_one_deflated_member_listed_600_times_is_refused_before_inflating(tmp_path):
    writer = ZipWriter()
    bomb = writer.member("array_0.npy", _npy(np.zeros(2**17)), DEFLATED)  # 1 MB, ~1 KB packed
    for _ in range(599):
        writer.list(bomb)
    writer.member("__tapegrad__.npy", _structure({"list": [{"array": "array_0"}] * 600}))
    path = tmp_path / "bomb.npz"
    writer.write(path)
    assert path.stat().st_size < 50_000  # which would unpack to 600 MB
    _refused(path, "lists member 'array_0.npy' twice")


def test_members_with_other_names_at_the_same_offset_are_refused(tmp_path):
    writer = ZipWriter()
    bomb = writer.member("array_0.npy", _npy(np.zeros(2**17)), DEFLATED)
    for index in range(1, 600):
        writer.list(bomb, name=f"array_{index}.npy")
    writer.member("__tapegrad__.npy", _structure(
        {"list": [{"array": f"array_{index}"} for index in range(600)]}))
    path = tmp_path / "bomb.npz"
    writer.write(path)
    _refused(path, "members 'array_0.npy' and 'array_1.npy' point at the same data")


def test_overlapping_members_are_refused(tmp_path):
    # The second member's header and data sit inside the first member's data: the trick by
    # which overlapping zip bombs make many members inflate the same bytes.
    inner = ZipWriter()
    hidden = inner.member("array_1.npy", _npy(np.zeros(1000)))
    writer = ZipWriter()
    outer = writer.member("array_0.npy", bytes(inner.body))
    writer.list(hidden, offset=outer["offset"] + 30 + len("array_0.npy"))
    writer.member("__tapegrad__.npy", _structure({"array": "array_1"}))
    path = tmp_path / "overlap.npz"
    writer.write(path)
    _refused(path, "members 'array_0.npy' and 'array_1.npy' point at overlapping bytes")


def test_a_structure_that_reads_one_array_600_times_is_refused(tmp_path):
    path = _checkpoint(tmp_path / "repeat.npz", {"list": [{"array": "array_0"}] * 600},
                       {"array_0.npy": _npy(np.zeros(2**14))}, DEFLATED)
    _refused(path, "refers to array 'array_0' twice")


def test_a_member_claiming_more_than_deflate_can_inflate_is_refused(tmp_path):
    writer = ZipWriter()
    member = writer.member("array_0.npy", _npy(np.zeros(10)), DEFLATED, listed=False)
    writer.list(member, size=member["compressed"] * 1033)
    writer.member("__tapegrad__.npy", _structure({"array": "array_0"}))
    path = tmp_path / "claims.npz"
    writer.write(path)
    _refused(path, r"claims to inflate \d+ bytes to \d+, more than deflate can \(1032 times\)")


def test_a_stored_member_claiming_another_size_is_refused(tmp_path):
    writer = ZipWriter()
    member = writer.member("array_0.npy", _npy(np.zeros(10)), STORED, listed=False)
    writer.list(member, size=2**31)
    writer.member("__tapegrad__.npy", _structure({"array": "array_0"}))
    path = tmp_path / "claims.npz"
    writer.write(path)
    _refused(path, r"'array_0.npy' is stored uncompressed in 208 bytes but claims 2147483648")


def test_a_member_reaching_past_the_end_of_the_file_is_refused(tmp_path):
    writer = ZipWriter()
    member = writer.member("array_0.npy", _npy(np.zeros(10)), STORED, listed=False)
    writer.list(member, size=2**31, compressed=2**31)
    writer.member("__tapegrad__.npy", _structure({"array": "array_0"}))
    path = tmp_path / "long.npz"
    writer.write(path)
    _refused(path, "is truncated: member 'array_0.npy' ends at byte")


@pytest.mark.parametrize("changes, match", [
    ({"method": BZIP2}, "uses compression method 12; checkpoints are stored or deflated"),
    ({"flags": 1}, "member 'array_0.npy' is encrypted"),
])
def test_members_that_are_not_stored_or_deflated_are_refused(tmp_path, changes, match):
    writer = ZipWriter()
    writer.list(writer.member("array_0.npy", _npy(np.zeros(3)), listed=False), **changes)
    writer.member("__tapegrad__.npy", _structure({"array": "array_0"}))
    path = tmp_path / "method.npz"
    writer.write(path)
    _refused(path, match)


def test_a_corrupted_member_fails_its_checksum(tmp_path):
    writer = ZipWriter()
    member = writer.member("array_0.npy", _npy(np.zeros(3)), listed=False)
    writer.list(member, crc=member["crc"] ^ 1)
    writer.member("__tapegrad__.npy", _structure({"array": "array_0"}))
    path = tmp_path / "crc.npz"
    writer.write(path)
    _refused(path, "BadZipFile: Bad CRC-32")


# ---------------------------------------------------------------------- .npy headers


def test_a_header_claiming_seven_terabytes_is_refused_without_allocating(tmp_path):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776, 8), }"
    path = _checkpoint(tmp_path / "huge.npz", {"array": "array_0"},
                       {"array_0.npy": _npy_with_header(header.ljust(117) + "\n", bytes(64))})
    _refused(path, r"'array_0.npy' announces shape \(1099511627776, 8\) of float64, "
                   r"70368744177664 bytes, but holds 64")


_HEADER = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"


@pytest.mark.parametrize("member, match", [
    pytest.param(b"not an npy file at all", "'array_0.npy' has no valid .npy header",
                 id="no-magic"),
    pytest.param(_npy_with_header(_HEADER, bytes(16), version=(3, 0)),
                 r"format version \(3, 0\)", id="version-3"),
    pytest.param(_npy_with_header(_HEADER[:35]), "no valid .npy header", id="cut-short"),
    pytest.param(_npy_with_header("[1, 2, 3]"), "no valid .npy header.*not a dictionary",
                 id="not-a-dict"),
    pytest.param(_npy_with_header("(" * 5000 + ")" * 5000), "no valid .npy header",
                 id="nested-parentheses"),
    pytest.param(_npy_with_header(_HEADER), r"announces shape \(2,\) of float64, 16 bytes, "
                 "but holds 0", id="no-data"),
    pytest.param(_npy_with_header(_HEADER.replace("(2,)", "(-2,)")),
                 r"announces the shape \(-2,\)", id="negative-shape"),
    pytest.param(_npy_with_header(_HEADER.replace("<f8", "nonsense")), "no valid .npy header",
                 id="bad-dtype"),
    pytest.param(_npy_with_header(_HEADER + " " * 20000), "no valid .npy header",
                 id="header-too-long"),
    pytest.param(_npy(np.array(["a", "b"])), "holds an array of dtype <U1; checkpoints hold",
                 id="strings"),
    pytest.param(_npy(np.zeros(2, dtype=[("x", "<f8")])), "holds an array of dtype",
                 id="structured"),
    pytest.param(_npy_with_header(_HEADER.replace("<f8", "|O"), b"\x80"),
                 "carries pickled objects", id="objects"),
])
def test_malformed_npy_headers_are_refused(tmp_path, member, match):
    path = _checkpoint(tmp_path / "header.npz", {"array": "array_0"}, {"array_0.npy": member})
    _refused(path, match)


# ---------------------------------------------------------------------- structures


@pytest.mark.parametrize("structure_member, match", [
    pytest.param(_npy(np.frombuffer(b"not json", np.uint8)), "structure is not JSON text",
                 id="not-json"),
    pytest.param(_npy(np.frombuffer(b"\xff\xfe{}", np.uint8)), "structure is not JSON text",
                 id="not-utf8"),
    pytest.param(_npy(np.frombuffer(b"[1, 2]", np.uint8)), "is not a tapegrad checkpoint",
                 id="header-a-list"),
    pytest.param(_npy(np.frombuffer(b'{"format": "other"}', np.uint8)),
                 "is not a tapegrad checkpoint", id="other-format"),
    pytest.param(_structure({"value": 1}, version=2), "is a version 2 checkpoint",
                 id="version-2"),
    pytest.param(_npy(np.zeros(3)), "__tapegrad__ member is not text", id="floats"),
    pytest.param(_structure([]), "holds a list of 0 items, which save never writes",
                 id="node-a-list"),
    pytest.param(_structure({"array": 5}), r"holds an object with keys \['array'\]",
                 id="array-key-a-number"),
    pytest.param(_structure({"array": "array_0", "value": 1}), "holds an object with keys",
                 id="two-kinds"),
    pytest.param(_structure({"weird": 1}), r"holds an object with keys \['weird'\]",
                 id="unknown-kind"),
    pytest.param(_structure({"value": [1]}), r"holds an object with keys \['value'\]",
                 id="value-a-list"),
    pytest.param(_structure({"array": "missing"}), "refers to array 'missing', which the file",
                 id="missing-array"),
    pytest.param(_structure({"dict": [1]}), r"holds 1 where a \[key, value\] pair belongs",
                 id="dict-without-pairs"),
    pytest.param(_structure({"dict": [[{"list": []}, {"value": 1}]]}),
                 "has a dict key of type list", id="list-as-key"),
    pytest.param(_structure({"list": [{"array": "__tapegrad__"}]}),
                 "refers to array '__tapegrad__' twice", id="structure-as-array"),
])
def test_garbage_structures_are_refused(tmp_path, structure_member, match):
    writer = ZipWriter()
    writer.member("array_0.npy", _npy(np.zeros(2)))
    writer.member("__tapegrad__.npy", structure_member)
    path = tmp_path / "garbage.npz"
    writer.write(path)
    _refused(path, match)


def test_a_structure_nested_beyond_the_stack_is_refused(tmp_path):
    text = '{"format": "tapegrad-checkpoint", "version": 1, "structure": ' + (
        '{"list": [' * 100_000) + "]}" * 100_000 + "}"
    writer = ZipWriter()
    writer.member("__tapegrad__.npy", _npy(np.frombuffer(text.encode(), np.uint8)), DEFLATED)
    path = tmp_path / "deep.npz"
    writer.write(path)
    _refused(path, "structure nests too deeply to read")


def test_a_structure_nested_deeper_than_any_checkpoint_is_refused(tmp_path):
    structure = {"value": 1}
    for _ in range(150):
        structure = {"list": [structure]}
    path = _checkpoint(tmp_path / "deep.npz", structure, {})
    _refused(path, "structure nests deeper than 100 levels")


def test_save_refuses_a_structure_that_contains_itself(tmp_path):
    looped = [np.zeros(2)]
    looped.append(looped)
    with pytest.raises(ValueError, match="nests deeper than 100 levels; does a list or dict"):
        tg.save(looped, tmp_path / "loop.npz")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------- other files


@pytest.mark.parametrize("content, match", [
    pytest.param(b"", "is not a tapegrad checkpoint: it is empty", id="empty"),
    pytest.param(b"hello, world", r"starts with b'hell', not like a .npz \(zip\) archive",
                 id="text"),
    pytest.param(_npy(np.zeros((2**10, 2**10))), r"starts with b'\\x93NUM'", id="npy"),
    pytest.param(b"PK\x05\x06" + bytes(18), r"starts with b'PK\\x05\\x06'", id="empty-zip"),
    pytest.param(b"PK\x03\x04" + bytes(200), "truncated or not a tapegrad checkpoint",
                 id="zip-magic-then-zeros"),
])
def test_files_that_are_not_zip_archives_are_refused(tmp_path, content, match):
    path = tmp_path / "other.npz"
    path.write_bytes(content)
    _refused(path, match)


def test_a_zip_without_a_structure_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "plain.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("weights.npy", _npy(np.ones(3)))
    _refused(path, "is not a tapegrad checkpoint: it has no __tapegrad__ member")


def test_every_truncation_of_a_checkpoint_is_refused(tmp_path, saved):
    path = tmp_path / "cut.npz"
    for length in range(0, len(saved), 7):
        path.write_bytes(saved[:length])
        _refused(path, "is (not a tapegrad checkpoint|truncated|damaged)")


def test_random_damage_is_a_value_error_or_a_load(tmp_path, saved):
    """Bytes flipped anywhere in a real checkpoint: the load succeeds (the damage missed
    everything checked) or raises ValueError; never another exception, never slowly."""
    rng = np.random.default_rng(0)
    path = tmp_path / "damaged.npz"
    started = time.perf_counter()
    for _ in range(500):
        damaged = bytearray(saved)
        for position in rng.integers(0, len(saved), rng.integers(1, 4)):
            damaged[position] = rng.integers(0, 256)
        path.write_bytes(bytes(damaged))
        try:
            tg.load(path)
        except ValueError as error:
            assert str(path) in str(error)
    assert time.perf_counter() - started < 5.0
