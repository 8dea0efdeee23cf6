import pytest
from pydantic import TypeAdapter, ValidationError

from shared.contract.calendar import Calendar
from shared.contract.fields import AppraisalPeriod, Nip, Quarter, is_pppk_number
from tests.builders import random_nip

NIP = TypeAdapter(Nip)


class TestNip:
    def test_accepts_the_reference_example(self) -> None:
        assert NIP.validate_python("196608011988031001") == "196608011988031001"

    def test_accepts_the_reference_ni_pppk(self) -> None:
        """REFERENCE 5: no month check on a PPPK's number; PUT /asn/{nip} of one was 422."""
        assert NIP.validate_python("199009132025242014") == "199009132025242014"
        assert is_pppk_number("199009132025242014")
        assert not is_pppk_number("196608011988031001")

    def test_accepts_generated_nips(self) -> None:
        for _ in range(200):
            NIP.validate_python(random_nip())

    @pytest.mark.parametrize(
        "nip",
        [
            "19660801198803100",  # 17 digits
            "1966080119880310011",  # 19 digits
            "19660801198803 1001",  # spaces are not on the wire
            "196602301988031001",  # 30 February
            "196608011988131001",  # month 13
            "196608011988033001",  # sex digit 3
            "196608011988031000",  # sequence 000
            "196608011965031001",  # appointed before birth
            "199901012099011001",  # appointed in the future
            "199009132099242014",  # NI PPPK appointed in the future
            "199009132010242014",  # NI PPPK before PPPK existed (UU 5/2014)
            "202009132019242014",  # NI PPPK appointed before birth
        ],
    )
    def test_refuses_impossible_nips(self, nip: str) -> None:
        with pytest.raises(ValidationError):
            NIP.validate_python(nip)


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (Quarter, "2026-Q4"),
        (AppraisalPeriod, "2026"),
        (AppraisalPeriod, "2026-S1"),
        (Nip, "199009132025242014"),
    ],
)
def test_digits_of_other_scripts_are_refused(field: object, value: str) -> None:
    """`20٢٦-Q4` was taken as a second key for 2026-Q4: another IKM, another closed quarter."""
    adapter = TypeAdapter(field)
    assert adapter.validate_python(value) == value
    foreign = value.translate(ARABIC_INDIC)
    with pytest.raises(ValidationError):
        adapter.validate_python(foreign)
    if field is not Nip:
        with pytest.raises(ValueError):  # the calendar too, where periods are parsed
            Calendar().period_start(foreign)
