import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.rewards import ledger
from shared.aggregates import Change
from shared.group_commit import inc_path, set_path
from shared.storage import Document
from tests.builders import a_reward_triggered, random_nip, wrapped

NIP = random_nip()


def applied(doc: Document, change: Change | None) -> Document:
    for path, value in (change.set if change else {}).items():
        set_path(doc, path, value)
    for path, amount in (change.inc if change else {}).items():
        inc_path(doc, path, amount)
    return doc


operations = st.lists(
    st.one_of(
        st.tuples(st.just("grant"), st.integers(0, 15), st.integers(1, 50)),
        st.tuples(st.just("redeem"), st.integers(0, 15), st.integers(1, 80)),
        st.tuples(st.just("adjust"), st.integers(0, 5), st.integers(-60, 60)),
    ),
    max_size=60,
)


@given(operations)
def test_balance_is_the_ledger_sum_and_never_negative(ops: list[tuple[str, int, int]]) -> None:
    doc: Document = {}
    triggers = {
        n: wrapped(a_reward_triggered(nip=NIP, points=p), event_id=f"t{n}") for k, n, p in ops if k == "grant"
    }
    for kind, number, points in ops:
        try:
            if kind == "grant":
                change = ledger.grant(doc, triggers[number])
            elif kind == "redeem":
                change = ledger.redeem(doc, NIP, f"r{number}", points, "mug")
            else:
                change = ledger.adjust(doc, NIP, f"a{number}", points or 1, "correction")
        except ledger.InsufficientPointsError:
            continue
        applied(doc, change)
    entries = doc.get("entries", {}).values()
    assert doc.get("balance", 0) == sum(e["points"] for e in entries)
    assert doc.get("balance", 0) >= 0
    assert len({e["entry_id"] for e in entries}) == len(entries)


def test_the_same_trigger_books_once() -> None:
    trigger = wrapped(a_reward_triggered(nip=NIP, points=10))
    doc = applied({}, ledger.grant({}, trigger))
    assert ledger.grant(doc, trigger) is None
    assert doc["balance"] == 10


def test_redemption_beyond_the_balance_is_refused() -> None:
    doc = applied({}, ledger.grant({}, wrapped(a_reward_triggered(nip=NIP, points=10))))
    with pytest.raises(ledger.InsufficientPointsError):
        ledger.redeem(doc, NIP, "r1", 11, "mug")
