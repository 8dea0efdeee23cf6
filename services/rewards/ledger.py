"""Points ledger: append-only entries per person; the balance is their sum and never negative."""

import datetime as dt
from typing import Any

from shared import envelope, events
from shared.aggregates import Change
from shared.identifiers import derived_id
from shared.storage import Document, field_key

SOURCE = "urn:mutu:rewards"


def grant(doc: Document, trigger: envelope.CloudEvent[events.RewardTriggered]) -> Change | None:
    """Book a RewardTriggered once (keyed by its id) and announce the new balance."""
    reward = trigger.data
    key = field_key(trigger.id)
    if key in doc.get("entries", {}):
        return None
    entry_id = derived_id("ledger", trigger.id)
    balance = int(doc.get("balance", 0)) + reward.points
    seq = int(doc.get("seq", 0)) + 1
    entry: dict[str, Any] = {
        "entry_id": entry_id,
        "seq": seq,
        "kind": "grant",
        "points": reward.points,
        "balance_after": balance,
        "rule_id": reward.rule_id,
        "reason": reward.reason,
        "caused_by": [trigger.id, *reward.caused_by],
        "unit_id": reward.unit_id,
        "at": dt.datetime.now(dt.UTC).isoformat(),
    }
    granted = events.RewardPointsGranted(
        nip=reward.nip,
        points=reward.points,
        balance=balance,
        rule_id=reward.rule_id,
        ledger_entry_id=entry_id,
    )
    return Change(
        set={f"entries.{key}": entry, "balance": balance, "seq": seq, "nip": reward.nip},
        publish=[envelope.wrap(granted, source=SOURCE, event_id=derived_id("granted", entry_id))],
    )
