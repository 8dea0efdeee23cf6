"""Sealed pages (pure): a history map split into an open part and pages, and put back whole."""

from shared.persistence import inbox, sealed


def entries(count: int, start: int = 0) -> dict[str, dict[str, int]]:
    return {f"k{i:03d}": {"n": i} for i in range(start, start + count)}


def stored(open_part: dict[str, dict[str, int]], pages: sealed.Pages) -> dict[str, object]:
    return {"items": open_part, sealed.FIELD: {"items": pages.stored()}}


def test_a_long_map_keeps_fewer_than_two_pages_open_and_reads_back_whole_in_order() -> None:
    history = entries(23)
    open_part, pages = sealed.seal(history, sealed.Pages(), {}, 4, lambda _: True)
    assert len(open_part) < 8
    assert len(pages.pages) == (23 - len(open_part)) // 4
    assert list(open_part) == list(history)[-len(open_part) :]  # the newest stay open
    back = sealed.merged(stored(open_part, pages), "items")
    assert back == history
    assert list(back) == list(history)


def test_entries_added_later_seal_on_top_of_the_pages_already_written() -> None:
    open_part, pages = sealed.seal(entries(8), sealed.Pages(), {}, 4, lambda _: True)
    before = sealed.Pages.of(stored(open_part, pages), "items")
    grown = entries(8) | entries(4, start=8)
    open_part, after = sealed.seal(grown, before, before.entries(), 4, lambda _: True)
    assert after.pages[: len(before.pages)] == before.pages  # written once, not rewritten
    assert sealed.merged(stored(open_part, after), "items") == grown


def test_a_sealed_entry_that_changed_or_left_rebuilds_the_pages() -> None:
    open_part, pages = sealed.seal(entries(12), sealed.Pages(), {}, 4, lambda _: True)
    kept = pages.entries()
    changed = entries(12) | {"k000": {"n": -1}}
    open_part, rebuilt = sealed.seal(changed, pages, kept, 4, lambda _: True)
    assert sealed.merged(stored(open_part, rebuilt), "items") == changed
    dropped = {k: v for k, v in entries(12).items() if k != "k001"}
    open_part, rebuilt = sealed.seal(dropped, pages, kept, 4, lambda _: True)
    assert sealed.merged(stored(open_part, rebuilt), "items") == dropped
    assert not sealed.holds(stored(open_part, rebuilt), "k001")


def test_entries_that_may_not_be_sealed_stay_open() -> None:
    history = entries(20)
    open_part, pages = sealed.seal(history, sealed.Pages(), {}, 4, lambda e: e["n"] % 5 != 0)
    assert {"k000", "k005", "k010", "k015"} <= open_part.keys()
    assert sealed.merged(stored(open_part, pages), "items") == history


def test_the_inbox_knows_an_event_whose_natural_key_was_sealed() -> None:
    open_part, pages = sealed.seal(entries(12), sealed.Pages(), {}, 4, lambda _: True)
    doc = stored(open_part, pages)
    first = next(iter(pages.entries()))
    assert first not in open_part
    assert sealed.holds(doc, first)
    assert inbox.applied(doc, "the-event", first)
    assert not inbox.applied(doc, "another", "k999")
