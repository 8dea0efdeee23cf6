"""The units file: the default kecamatan, and a bad file refused whole at start-up with its reason."""

from pathlib import Path

import pytest

from shared import errors
from shared.contract import units


def test_the_default_is_the_kecamatan_office_and_its_seven_kelurahan() -> None:
    found = units.load()
    assert [u.unit_id for u in found if u.parent is None] == ["kec-candisari"]
    kelurahan = [u for u in found if u.parent == "kec-candisari"]
    assert len(kelurahan) == 7
    assert found.name_of("kel-jatingaleh") == "Kelurahan Jatingaleh"
    assert "kel-candisari" not in found  # the README's old example: not a unit of the kecamatan


def test_an_unknown_unit_is_invalid_with_a_field_level_reason() -> None:
    with pytest.raises(errors.InvalidError) as refused:
        units.load().require("kel-phantom")
    assert refused.value.status == 422
    assert refused.value.reasons[0]["loc"] == ["body", "unit_id"]
    units.load().require("kel-candi")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            '[[units]]\nunit_id = "a"\nname = "A"\n[[units]]\nunit_id = "a"\nname = "A again"\n',
            "listed twice",
        ),
        ('[[units]]\nunit_id = "a"\nname = "A"\nparent = "b"\n', "unknown parent b"),
        (
            '[[units]]\nunit_id = "a"\nname = "A"\nparent = "b"\n[[units]]\nunit_id = "b"\nname = "B"\nparent = "a"\n',
            "its own ancestor",
        ),
        ('[[units]]\nunit_id = "Not A Slug"\nname = "A"\n', r"units\[0\]\.unit_id"),
        ("units = [", "not TOML"),
        ("", "no units are configured"),
    ],
)
def test_a_bad_units_file_is_refused_naming_the_problem(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "units.toml"
    path.write_text(text)
    with pytest.raises(units.UnitsFileError, match=reason):
        units.load(path)


def test_a_missing_units_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(units.UnitsFileError, match=r"units\.toml"):
        units.load(tmp_path / "units.toml")
