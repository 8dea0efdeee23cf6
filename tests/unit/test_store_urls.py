"""Where a service finds its database: its own store, the shared URL, or the embedded stores' files."""

from pathlib import Path

from mutu import launcher
from shared.persistence.embedded_store import store_url, url_file, url_variable


def test_a_service_takes_its_own_url_first_then_the_shared_one(tmp_path: Path) -> None:
    own = {url_variable("rewards"): "mongodb://rewards-store"}
    assert store_url("rewards", "mongodb://shared", tmp_path, own) == "mongodb://rewards-store"
    assert store_url("training", "mongodb://shared", tmp_path, own) == "mongodb://shared"


def test_without_urls_the_files_of_the_running_stores_are_read(tmp_path: Path) -> None:
    assert store_url("rewards", None, tmp_path, {}) is None
    url_file(tmp_path).write_text("mongodb://one-for-all\n")
    assert store_url("rewards", None, tmp_path, {}) == "mongodb://one-for-all"
    url_file(tmp_path, "rewards").write_text("mongodb://rewards-store\n")
    assert store_url("rewards", None, tmp_path, {}) == "mongodb://rewards-store"
    assert url_variable("rewards") == "MONGODB_URL_REWARDS"


def test_the_one_store_file_of_earlier_versions_becomes_each_services_file(tmp_path: Path) -> None:
    (tmp_path / "store.sqlite3").write_bytes(b"data")
    (tmp_path / "store.sqlite3-wal").write_bytes(b"log")
    launcher._split_shared_store(tmp_path, ["training", "rewards"])
    for service in ("training", "rewards"):
        assert (tmp_path / f"store-{service}.sqlite3").read_bytes() == b"data"
        assert (tmp_path / f"store-{service}.sqlite3-wal").read_bytes() == b"log"
    assert not (tmp_path / "store.sqlite3").exists()
    assert (tmp_path / "store.sqlite3.before-split").read_bytes() == b"data"
    launcher._split_shared_store(tmp_path, ["training", "rewards"])  # once only
    assert (tmp_path / "store-training.sqlite3").read_bytes() == b"data"
