"""Words of the public survey pages in Bahasa Indonesia (first) and English."""
# ruff: noqa: E501  (translations are kept whole, one element per row)

from typing import Any

from services.survey import skm

LANGUAGES = ("id", "en")

UI: dict[str, dict[str, str]] = {
    "id": {
        "title": "Survei Kepuasan Masyarakat",
        "intro": "Bantu kami memperbaiki pelayanan. Survei ini anonim: jangan tulis nama, nomor telepon atau alamat.",
        "unit": "Unit layanan",
        "service_type": "Jenis layanan yang Anda terima",
        "choose": "Pilih",
        "questions": "Pendapat Anda",
        "profile": "Profil responden (tidak wajib)",
        "age_band": "Usia",
        "sex": "Jenis kelamin",
        "sex_L": "Laki-laki",
        "sex_P": "Perempuan",
        "education": "Pendidikan terakhir",
        "occupation": "Pekerjaan",
        "comment": "Saran dan masukan (tidak wajib)",
        "submit": "Kirim jawaban",
        "other_language": "English",
        "errors": "Jawaban belum lengkap atau tidak valid. Periksa isian berikut:",
        "missing": "Pilih salah satu jawaban.",
        "invalid": "Pilihan ini tidak valid.",
        "too_long": "Teks terlalu panjang (paling banyak 2000 karakter).",
        "thanks": "Terima kasih",
        "thanks_text": "Jawaban Anda sudah kami terima dan akan dihitung dalam Indeks Kepuasan Masyarakat unit ini.",
        "again": "Isi survei untuk layanan lain",
        "limited": "Terlalu banyak jawaban",
        "limited_text": "Terlalu banyak jawaban dikirim dari perangkat ini dalam waktu singkat. Coba lagi dalam {seconds} detik; jawaban Anda belum tersimpan.",
        "back": "Kembali ke survei",
        "not_found": "Unit layanan tidak dikenal",
        "officer": "Petugas yang melayani (NIP)",
        "ticket_unknown": "Tiket tidak dikenal",
        "ticket_unknown_text": "Alamat survei ini tidak dikenal. Periksa kembali alamat pada tiket layanan Anda.",
        "ticket_expired": "Tiket sudah kedaluwarsa",
        "ticket_expired_text": "Masa berlaku tiket survei ini sudah habis, sehingga jawaban tidak dapat dikirim lagi. Terima kasih atas perhatian Anda.",
        "ticket_used": "Tiket sudah dipakai",
        "ticket_used_text": "Survei untuk tiket ini sudah diisi. Setiap tiket hanya dapat dipakai satu kali.",
    },
    "en": {
        "title": "Public Satisfaction Survey",
        "intro": "Help us improve our service. This survey is anonymous: do not write your name, phone number or address.",
        "unit": "Service unit",
        "service_type": "The service you received",
        "choose": "Choose",
        "questions": "Your opinion",
        "profile": "About you (optional)",
        "age_band": "Age",
        "sex": "Sex",
        "sex_L": "Male",
        "sex_P": "Female",
        "education": "Highest education",
        "occupation": "Occupation",
        "comment": "Suggestions (optional)",
        "submit": "Send answers",
        "other_language": "Bahasa Indonesia",
        "errors": "Some answers are missing or invalid. Please check:",
        "missing": "Choose one answer.",
        "invalid": "This choice is not valid.",
        "too_long": "The text is too long (2000 characters at most).",
        "thanks": "Thank you",
        "thanks_text": "We have received your answers; they count in this unit's Public Satisfaction Index.",
        "again": "Answer for another service",
        "limited": "Too many answers",
        "limited_text": "Too many answers were sent from this device in a short time. Please try again in {seconds} seconds; your answers were not saved.",
        "back": "Back to the survey",
        "not_found": "Unknown service unit",
        "officer": "Officer who served you (NIP)",
        "ticket_unknown": "Unknown ticket",
        "ticket_unknown_text": "This survey address is not known. Please check the address on your service ticket.",
        "ticket_expired": "The ticket has expired",
        "ticket_expired_text": "This survey ticket is no longer valid, so answers can no longer be sent. Thank you for your interest.",
        "ticket_used": "The ticket was already used",
        "ticket_used_text": "The survey for this ticket has already been answered. Each ticket can be used once.",
    },
}

# English renderings of the nine elements (the official wording is the Indonesian one in skm.py).
ELEMENTS_EN: dict[str, tuple[str, str, tuple[str, str, str, str]]] = {
    "u1": (
        "Requirements",
        "How well do the service requirements fit the kind of service?",
        ("Not suitable", "Less suitable", "Suitable", "Very suitable"),
    ),
    "u2": (
        "Systems, mechanisms and procedures",
        "How easy are the service procedures of this unit?",
        ("Not easy", "Less easy", "Easy", "Very easy"),
    ),
    "u3": (
        "Completion time",
        "How fast was the service delivered?",
        ("Not fast", "Less fast", "Fast", "Very fast"),
    ),
    "u4": (
        "Cost/fee",
        "How fair is the cost or fee of the service?",
        ("Very expensive", "Rather expensive", "Cheap", "Free"),
    ),
    "u5": (
        "Product of the service",
        "Does the result match what the service standard promises?",
        ("Not matching", "Less matching", "Matching", "Fully matching"),
    ),
    "u6": (
        "Staff competence",
        "How competent were the staff?",
        ("Not competent", "Less competent", "Competent", "Very competent"),
    ),
    "u7": (
        "Staff conduct",
        "How polite and friendly were the staff?",
        (
            "Not polite and friendly",
            "Less polite and friendly",
            "Polite and friendly",
            "Very polite and friendly",
        ),
    ),
    "u8": (
        "Handling of complaints and suggestions",
        "How are users' complaints handled?",
        ("None", "Exists but does not work", "Works, not fully", "Well managed"),
    ),
    "u9": ("Facilities", "How good are the facilities?", ("Poor", "Fair", "Good", "Very good")),
}

OCCUPATIONS_EN = {
    "pelajar_mahasiswa": "Student",
    "pns": "Civil servant",
    "tni_polri": "Armed forces or police",
    "pegawai_swasta": "Private employee",
    "wiraswasta": "Self-employed",
    "petani_nelayan": "Farmer or fisher",
    "buruh": "Labourer",
    "ibu_rumah_tangga": "Homemaker",
    "pensiunan": "Retired",
    "tidak_bekerja": "Not working",
    "lainnya": "Other",
}


def language(value: str | None) -> str:
    return value if value in LANGUAGES else "id"


def elements(lang: str) -> list[dict[str, Any]]:
    """The nine elements with question and answer labels in `lang` (Indonesian: the official text)."""
    shown: list[dict[str, Any]] = []
    for code, name, question, labels, _status in skm.ELEMENTS:
        words = ELEMENTS_EN[code] if lang == "en" else (name, question, labels)
        shown.append(
            {"code": code, "name": words[0], "question": words[1], "answers": list(enumerate(words[2], 1))}
        )
    return shown


def occupations(lang: str) -> list[tuple[str, str]]:
    """(code, label) of each occupation, from the one list skm.OCCUPATIONS."""
    labels = OCCUPATIONS_EN if lang == "en" else skm.OCCUPATION_LABELS
    return [(code, labels.get(code, code)) for code in skm.OCCUPATIONS]
