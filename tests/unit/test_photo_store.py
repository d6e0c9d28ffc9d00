"""The local photo store: content addressed, atomic, and closed to path tricks."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from gemba.photos import store as photo_store
from gemba.photos.store import LocalPhotoStore, PhotoStore

DATA = b"\xff\xd8\xff pretend this is a JPEG"
KEY = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> LocalPhotoStore:
    """A store in a fresh directory that does not exist yet."""
    return LocalPhotoStore(tmp_path / "photos")


def files_under(root: Path) -> list[Path]:
    """Every file in the tree, temporary ones included."""
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_local_store_satisfies_the_interface(store: LocalPhotoStore) -> None:
    assert isinstance(store, PhotoStore)


def test_put_returns_the_sha256_and_files_the_bytes_by_it(store: LocalPhotoStore) -> None:
    key = store.put(DATA)

    assert key == KEY
    assert files_under(store.root) == [store.root / KEY[:2] / KEY[2:4] / KEY]
    with store.open(key) as stored:
        assert stored.read() == DATA
    assert store.exists(key)
    assert store.size(key) == len(DATA)


def test_put_accepts_a_root_given_as_a_string(tmp_path: Path) -> None:
    store = LocalPhotoStore(str(tmp_path))

    assert store.size(store.put(b"")) == 0


def test_putting_the_same_bytes_twice_stores_them_once(
    store: LocalPhotoStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.put(DATA)
    replaced: list[object] = []
    monkeypatch.setattr(photo_store.os, "replace", lambda *args: replaced.append(args))

    assert store.put(DATA) == KEY
    assert replaced == []
    assert len(files_under(store.root)) == 1


def test_a_damaged_copy_is_rewritten_on_the_next_put(store: LocalPhotoStore) -> None:
    key = store.put(DATA)
    (store.root / key[:2] / key[2:4] / key).write_bytes(DATA[:5])

    store.put(DATA)

    with store.open(key) as stored:
        assert stored.read() == DATA


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_a_crash_while_writing_leaves_no_file_behind(
    store: LocalPhotoStore, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    def crash(*args: object) -> None:
        raise OSError("disk pulled out")

    monkeypatch.setattr(photo_store.os, failing, crash)

    with pytest.raises(OSError, match="disk pulled out"):
        store.put(DATA)

    monkeypatch.undo()
    assert not store.exists(KEY)
    assert files_under(store.root) == []


def test_a_crash_keeps_the_previous_copy_whole(
    store: LocalPhotoStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = store.put(DATA)
    path = store.root / key[:2] / key[2:4] / key
    path.write_bytes(b"torn")  # make the next put rewrite it

    def crash(*args: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(photo_store.os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        store.put(DATA)

    assert path.read_bytes() == b"torn"  # the old file, not a mix of old and new
    assert files_under(store.root) == [path]


def test_stored_files_are_private_to_the_app_user(store: LocalPhotoStore) -> None:
    if os.name != "posix":
        pytest.skip("file modes are POSIX only")
    key = store.put(DATA)

    assert (store.root / key[:2] / key[2:4] / key).stat().st_mode & 0o077 == 0


def test_concurrent_puts_of_the_same_bytes_agree(store: LocalPhotoStore) -> None:
    keys: list[str] = []
    threads = [threading.Thread(target=lambda: keys.append(store.put(DATA))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert keys == [KEY] * 8
    assert len(files_under(store.root)) == 1
    assert store.size(KEY) == len(DATA)


def test_delete_removes_and_tolerates_missing(store: LocalPhotoStore) -> None:
    key = store.put(DATA)

    store.delete(key)
    store.delete(key)

    assert not store.exists(key)
    assert files_under(store.root) == []


def test_missing_keys_raise_key_error(store: LocalPhotoStore) -> None:
    with pytest.raises(KeyError):
        store.open(KEY)
    with pytest.raises(KeyError):
        store.size(KEY)
    assert not store.exists(KEY)


@pytest.mark.parametrize(
    "key",
    [
        "../../../etc/passwd",
        "../" + KEY[3:],
        "/" + KEY[1:],
        KEY[:63],
        KEY + "0",
        KEY + "\n",
        KEY.upper(),
        "g" * 64,
        KEY[:32] + "\x00" + KEY[33:],
        "",
    ],
)
@pytest.mark.parametrize("method", ["open", "exists", "delete", "size"])
def test_keys_that_are_not_sha256_hex_are_refused(
    store: LocalPhotoStore, tmp_path: Path, key: str, method: str
) -> None:
    (tmp_path / "secret").write_bytes(b"outside the store")

    with pytest.raises(ValueError, match="not a photo key"):
        getattr(store, method)(key)

    assert (tmp_path / "secret").exists()
