"""The inbox's rules on plain documents: natural keys, day buckets, marks of older documents."""

import datetime as dt

from shared.contract.identifiers import field_key
from shared.persistence import inbox

NOW = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)


def test_an_effect_stored_under_the_event_id_is_its_own_dedupe() -> None:
    key = field_key("ev-1")
    assert inbox.natural({f"completions.{key}": {"jp": 2}}, key)
    assert not inbox.natural({"jp": 4}, key)
    assert inbox.applied({"completions": {key: {"jp": 2}}}, "ev-1", key)
    assert not inbox.applied({"outbox": {key: {}}}, "ev-1", key)  # published, not applied


def test_marks_live_in_day_buckets_that_expire_after_the_window() -> None:
    path, blob = inbox.marked({}, "ev-1", NOW)
    doc = {"inbox": {path.split(".")[1]: blob}}
    assert inbox.applied(doc, "ev-1", field_key("ev-1"))
    assert not inbox.applied(doc, "ev-2", field_key("ev-2"))
    assert inbox.expired(doc, NOW + dt.timedelta(days=30)) == []
    assert inbox.expired(doc, NOW + dt.timedelta(days=31)) == [path]


def test_marks_of_older_documents_count_until_they_expire() -> None:
    legacy = {field_key(f"ev-{i}"): NOW for i in range(50)}  # some hex keys start with "d"
    doc = {"inbox": legacy}
    assert all(inbox.applied(doc, f"ev-{i}", field_key(f"ev-{i}")) for i in range(50))
    assert inbox.expired(doc, NOW + dt.timedelta(days=31)) == [f"inbox.{k}" for k in legacy]


def test_a_digest_is_found_only_at_its_own_offset() -> None:
    mark = inbox.digest("ev-1")
    shifted = b"\x00" * 4 + mark + b"\x00" * 4
    assert not inbox.applied({"inbox": {inbox.bucket(NOW): shifted}}, "ev-1", field_key("ev-1"))
