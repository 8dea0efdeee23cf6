"""The SKM questionnaire (PermenPANRB 14/2017) as data, and the Krejcie & Morgan sample size."""
# ruff: noqa: E501  (the question texts are kept whole, one element per row)

from typing import Any

CONFIRMED = "confirmed"
UNCERTAIN = "uncertain"

# (code, official name, question, four labels 1..4, label status) in the regulation's order.
ELEMENTS: tuple[tuple[str, str, str, tuple[str, str, str, str], str], ...] = (
    ("u1", "Persyaratan", "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
     ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"), CONFIRMED),
    ("u2", "Sistem, Mekanisme, dan Prosedur", "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
     ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"), CONFIRMED),
    ("u3", "Waktu Penyelesaian", "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
     ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"), CONFIRMED),
    ("u4", "Biaya/Tarif", "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
     ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"), CONFIRMED),
    ("u5", "Produk Spesifikasi Jenis Pelayanan", "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar pelayanan dengan hasil yang diberikan?",
     ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"), CONFIRMED),
    ("u6", "Kompetensi Pelaksana", "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
     ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"), UNCERTAIN),
    ("u7", "Perilaku Pelaksana", "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
     ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"), CONFIRMED),
    ("u8", "Penanganan Pengaduan, Saran dan Masukan", "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
     ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"), UNCERTAIN),
    ("u9", "Sarana dan Prasarana", "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
     ("Buruk", "Cukup", "Baik", "Sangat Baik"), CONFIRMED),
)  # fmt: skip

# Respondent occupation: a closed list (PermenPANRB 14/2017, Lampiran: contoh kuesioner), never free text.
OCCUPATIONS: tuple[str, ...] = ("pns", "tni", "polri", "swasta", "wirausaha", "pelajar", "lainnya")
OCCUPATION_LABELS: dict[str, str] = {
    "pns": "PNS",
    "tni": "TNI",
    "polri": "POLRI",
    "swasta": "Swasta",
    "wirausaha": "Wirausaha",
    "pelajar": "Pelajar/Mahasiswa",
    "lainnya": "Lainnya",
}

PROFILE_FIELDS: dict[str, list[str] | str] = {
    "age_band": ["<25", "25-34", "35-44", "45-54", "55+"],
    "sex": ["L", "P"],
    "education": ["SD", "SMP", "SMA", "D3", "S1", "S2", "S3"],
    "occupation": "free text (no names, phones, e-mail or addresses)",
}


def questionnaire() -> dict[str, Any]:
    """The form a kiosk renders: elements u1..u9, answer labels 1-4, profile fields."""
    return {
        "regulation": "PermenPANRB 14/2017",
        "elements": [
            {
                "code": code,
                "name": name,
                "question": question,
                "answers": [{"value": i + 1, "label": label} for i, label in enumerate(labels)],
                "labels_status": status,
            }
            for code, name, question, labels, status in ELEMENTS
        ],
        "respondent_profile": PROFILE_FIELDS,
    }


CHI_SQUARE = 3.841
PROPORTION = 0.5
MARGIN = 0.05


def krejcie_morgan(population: int) -> int:
    """Minimum sample s = X2*N*P(1-P) / (d2*(N-1) + X2*P(1-P)), rounded to nearest."""
    if population <= 0:
        return 0
    pq = PROPORTION * (1 - PROPORTION)
    sample = CHI_SQUARE * population * pq / (MARGIN**2 * (population - 1) + CHI_SQUARE * pq)
    return int(sample + 0.5)
