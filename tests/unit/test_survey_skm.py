"""Unit tests of the SKM questionnaire data and the Krejcie & Morgan sample size."""

import pytest

from services.survey import skm

TABLE = {10: 10, 15: 14, 20: 19, 25: 24, 30: 28, 40: 36, 50: 44, 60: 52, 100: 80, 220: 140, 250: 152,
         300: 169, 500: 217, 1000: 278, 1500: 306, 2000: 322, 2200: 327, 1_000_000: 384}  # fmt: skip


@pytest.mark.parametrize(("population", "sample"), sorted(TABLE.items()))
def test_krejcie_morgan_reproduces_the_table(population: int, sample: int) -> None:
    assert skm.krejcie_morgan(population) == sample


def test_elements_are_u1_to_u9_with_u8_complaints_and_u9_facilities() -> None:
    elements = skm.questionnaire()["elements"]
    assert [e["code"] for e in elements] == [f"u{i}" for i in range(1, 10)]
    assert elements[7]["name"] == "Penanganan Pengaduan, Saran dan Masukan"
    assert elements[8]["name"] == "Sarana dan Prasarana"
    assert all(len(e["answers"]) == 4 for e in elements)
    assert {e["code"] for e in elements if e["labels_status"] == "uncertain"} == {"u6", "u8"}
