"""The store client is configured for a replica set or sharded cluster from settings: majority
writes with a timeout, retryable reads and writes, the read preference and the timeouts.
Checked on the client's own options (no replica set runs here)."""

import pytest
from pymongo import ReadPreference
from pymongo.write_concern import WriteConcern

from shared.persistence.storage import Store
from shared.settings import ServiceSettings

URL = "mongodb://127.0.0.1:1/?connect=false"


def store_from() -> Store:
    settings = ServiceSettings(mongodb_url=URL)
    return Store(URL, "mutu_test", options=settings.store_options)


def test_defaults_suit_a_replica_set() -> None:
    client = store_from().client
    assert client.write_concern == WriteConcern(w="majority", wtimeout=10_000, j=True)
    assert client.read_preference == ReadPreference.PRIMARY
    assert client.options.retry_writes is True
    assert client.options.retry_reads is True
    assert client.options.server_selection_timeout == 5
    assert client.options.pool_options.connect_timeout == 5
    assert client.options.pool_options.socket_timeout == 30


def test_every_option_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "MONGODB_WRITE_CONCERN": "2",
        "MONGODB_WTIMEOUT_MS": "2500",
        "MONGODB_JOURNAL": "false",
        "MONGODB_READ_PREFERENCE": "secondaryPreferred",
        "MONGODB_RETRY_WRITES": "false",
        "MONGODB_RETRY_READS": "false",
        "MONGODB_TIMEOUT_MS": "1500",
        "MONGODB_SOCKET_TIMEOUT_MS": "9000",
    }.items():
        monkeypatch.setenv(name, value)
    client = store_from().client
    assert client.write_concern == WriteConcern(w=2, wtimeout=2500, j=False)
    assert client.read_preference == ReadPreference.SECONDARY_PREFERRED
    assert client.options.retry_writes is False
    assert client.options.retry_reads is False
    assert client.options.server_selection_timeout == 1.5
    assert client.options.pool_options.connect_timeout == 1.5
    assert client.options.pool_options.socket_timeout == 9


def test_an_unknown_read_preference_is_refused_at_startup() -> None:
    with pytest.raises(ValueError, match="read_preference"):
        ServiceSettings(mongodb_read_preference="fastest")  # type: ignore[arg-type]
