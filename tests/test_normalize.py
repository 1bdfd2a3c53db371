"""Tokens per script: what matching sees after normalization."""
import json
import unicodedata

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import normalize as normalize_module
from dedup.cli import main
from dedup.normalize import key, nfkc, normalize, separated_after, tokens


@pytest.fixture
def fold_table_built_now(monkeypatch):
    """The fold table is built once, at import. The tests of what it holds build it
    again, so that they test what `_fold_table()` gives now (a mutation tester changes
    the function after the import), through the public functions."""
    monkeypatch.setattr(normalize_module, "FOLD", normalize_module._fold_table())


uses_fold_table = pytest.mark.usefixtures("fold_table_built_now")


def test_devanagari_words_keep_vowel_signs_and_virama():
    assert tokens("बैठक में कौन-कौन मौजूद?") == ["बैठक", "में", "कौन", "कौन", "मौजूद"]
    assert tokens("जेलेंस्की ने अमेरिका को कहा शुक्रिया") == ["जेलेंस्की", "ने", "अमेरिका", "को", "कहा", "शुक्रिया"]
    # Python's re \w would split these at the vowel sign / virama:
    assert len(tokens("क्रिकेट")) == 1


def test_hindi_danda_and_quotes_are_punctuation():
    assert tokens("‘यूक्रेन ने नहीं किया ड्रोन अटैक…’ पुतिन।") == ["यूक्रेन", "ने", "नहीं", "किया", "ड्रोन", "अटैक", "पुतिन"]


@uses_fold_table
def test_urdu_and_arabic_letter_variants_unify():
    # Farsi/Urdu yeh and keheh versus Arabic yeh and kaf; heh goal / do-chashmi heh
    assert key("یہ بھی پڑھیں") == key("يه بهي پڑهيں")
    assert key("کتاب") == key("كتاب")
    assert key("مكتبة") == key("مكتبه")
    assert key("أحمد إلى آخر") == key("احمد الى اخر")


@uses_fold_table
def test_arabic_harakat_and_tatweel_dropped():
    assert tokens("مُحَمَّدٌ") == tokens("محمد")
    assert tokens("العـــربية") == tokens("العربية")


@uses_fold_table
def test_digits_of_every_script_unify():
    assert tokens("٢٠٢٤ ۲۰۲۴ २०२४ ২০২৪ ௨௦௨௪ 2024") == ["2024"] * 6
    assert tokens("２０２４") == ["2024"]          # fullwidth, by NFKC


def test_the_digit_table_is_every_decimal_digit_by_its_unicode_category():
    """The table finds digits with `re`'s \\d (fast at start-up); it must be exactly
    the characters of category Nd below U+20000, each to its decimal value."""
    table = normalize_module._fold_table()
    digits = {code: str(unicodedata.decimal(chr(code))) for code in range(0x20000)
              if unicodedata.category(chr(code)) == "Nd"}
    assert len(digits) > 600
    assert {code: table[code] for code in digits} == digits
    assert all(not (value or "").isdigit() for code, value in table.items() if code not in digits)


@uses_fold_table
def test_zero_width_and_bom_dropped():
    assert tokens("\ufeffhel\u200blo wo\u200drld") == ["hello", "world"]
    assert tokens("می\u200cخواهم") == tokens("میخواهم")


def test_case_folding_latin_cyrillic_greek():
    assert tokens("Straße ЁЛКА ΣΟΦΊΑ") == tokens("STRASSE ёлка σοφία")


def test_punctuation_of_every_script_ignored():
    assert tokens("«مواضيع» ذات، صلة؟ ۔ ¿Qué? ¡Sí! 「日本」") == tokens("مواضيع ذات صلة qué sí 日本")
    assert len(tokens("«مواضيع» ذات، صلة؟ ۔ ¿Qué? ¡Sí! 「日本」")) == 7


def test_unspaced_scripts_become_characters():
    assert tokens("相关阅读") == ["相", "关", "阅", "读"]
    assert tokens("関連記事です") == ["関", "連", "記", "事", "で", "す"]
    # Thai: a base character keeps its combining marks
    assert tokens("สวัสดี") == ["ส", "วั", "ส", "ดี"]


@pytest.mark.parametrize("text, expected", [
    ("ສະບາຍດີ ພາສາລາວ", ["ສ", "ະ", "ບ", "າ", "ຍ", "ດີ", "ພ", "າ", "ສ", "າ", "ລ", "າ", "ວ"]),   # Lao
    ("ភាសាខ្មែរ", ["ភា", "សា", "ខ្", "មែ", "រ"]),                                               # Khmer
    ("မြန်မာစာ", ["မြ", "န်", "မာ", "စာ"]),                                                      # Myanmar
], ids=["lao", "khmer", "myanmar"])
def test_lao_khmer_and_myanmar_are_compared_character_by_character(text, expected):
    """Written without spaces between words: as words, a whole phrase would be one token."""
    assert tokens(text) == expected


def test_other_scripts_are_words():
    assert tokens("আরও পড়ুন") == ["আরও", "পড়ুন"]
    assert tokens("இதையும் படிக்க") == ["இதையும்", "படிக்க"]
    assert tokens("Читайте также") == ["читайте", "также"]


BIDI_CONTROLS = {"LRE": "\u202a", "RLE": "\u202b", "PDF": "\u202c", "LRO": "\u202d", "RLO": "\u202e",
                 "LRI": "\u2066", "RLI": "\u2067", "FSI": "\u2068", "PDI": "\u2069",
                 "LRM": "\u200e", "RLM": "\u200f",
                 "ALM": "\u061c"}


@uses_fold_table
@pytest.mark.parametrize("control", BIDI_CONTROLS.values(), ids=BIDI_CONTROLS.keys())
def test_bidi_controls_are_dropped(control):
    """Inside a word, a bidi control must not split it: the copy still matches."""
    assert tokens(f"مك{control}تبة الجا{control}معة") == tokens("مكتبة الجامعة") == ["مكتبه", "الجامعه"]
    assert normalize(f"{control}Copy{control}right{control}") == "copyright"


@uses_fold_table
def test_normalize_is_for_matching_only(tmp_path):
    """The copies match through normalization, yet the kept text is written back as it
    was (fullwidth, harakat, tatweel, an RLM, Urdu letters, Eastern digits) and the
    removed spans hold the copy's own text."""
    assert normalize("Ｈｅｌｌｏ") == "hello"
    original = ("Ｔｈｅ Ｍｉｎｉｓｔｅｒ ＳＡＩＤ on Monday that the port would reopen after the storm\n"
                "مُحَمَّدٌ قـــال إن الميناء سيفتح يوم الاثنين بعد العاصفة\u200f\n"
                "وزیر نے کہا کہ بندرگاہ ۲۰۲۴ میں دوبارہ کھلے گی\n")
    copies = ["the minister said on monday that the port would reopen after the storm\n",
              "محمد قال ان الميناء سيفتح يوم الاثنين بعد العاصفه\n",
              "وزير نے كہا كہ بندرگاہ 2024 ميں دوبارہ كھلے گی\n"]
    own = "Harbour news from the east coast of the country on a stormy Monday morning with more to follow later\n"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes(original.encode("utf-8"))
    (corpus / "b.txt").write_bytes((own + "".join(copies)).encode("utf-8"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["clean", str(corpus), "-o", str(out), "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (out / "a.txt").read_bytes() == original.encode("utf-8")
    assert (out / "b.txt").read_bytes() == own.encode("utf-8")
    report = json.loads((out / "report.json").read_text("utf-8"))
    removed = [(r["rule"], r["text"], r["evidence"]["original"]["lines"]) for r in report["documents"][1]["removed"]]
    assert removed == [("exact-line", text, [n, n]) for n, text in enumerate(copies, 1)]


# Digits 0-9 of scripts that corpora carry, each written as its script writes them
# (code point of its zero): NFKC leaves all of these alone, the fold table makes them ASCII.
DIGIT_ZEROS = {"arabic-indic": 0x0660, "persian": 0x06F0, "nko": 0x07C0, "devanagari": 0x0966,
               "bengali": 0x09E6, "gurmukhi": 0x0A66, "gujarati": 0x0AE6, "oriya": 0x0B66, "tamil": 0x0BE6,
               "telugu": 0x0C66, "kannada": 0x0CE6, "malayalam": 0x0D66, "sinhala": 0x0DE6, "thai": 0x0E50,
               "lao": 0x0ED0, "tibetan": 0x0F20, "myanmar": 0x1040, "khmer": 0x17E0, "mongolian": 0x1810,
               "osmanya": 0x104A0, "adlam": 0x1E950}


@uses_fold_table
def test_all_ten_digits_of_each_script_become_ascii():
    for script, zero in DIGIT_ZEROS.items():
        digits = "".join(chr(zero + i) for i in range(10))
        assert unicodedata.normalize("NFKC", digits) == digits, script   # the fold table's work, not NFKC's
        assert tokens(f"سنة {digits} میں") == ["سنه", "0123456789", "ميں"], script
        assert key(f"{digits[2]}{digits[0]}{digits[2]}{digits[4]}") == "2024", script


@uses_fold_table
def test_every_decimal_digit_of_unicode_becomes_ascii():
    """"Digits of every script made ASCII": all 660 decimal digits (category Nd) of
    Unicode 14, from ASCII to the segmented digits of U+1FBF0."""
    digits = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Nd"]
    assert len(digits) == 660
    assert [normalize(d) for d in digits] == [str(unicodedata.digit(d)) for d in digits]


# Characters that normalization drops, so that a word with one inside is still the word.
INVISIBLE = {"ZWSP": "\u200b", "ZWNJ": "\u200c", "ZWJ": "\u200d", "WJ": "\u2060", "BOM": "\ufeff",
             "SHY": "\u00ad", "tatweel": "\u0640"}


@uses_fold_table
def test_zero_width_characters_soft_hyphen_and_tatweel_are_dropped():
    for name, char in INVISIBLE.items():
        assert tokens(f"Copy{char}right news{char}") == ["copyright", "news"], name
        assert tokens(f"مك{char}تبة") == ["مكتبه"], name
        assert tokens(f"हिं{char}दी") == ["हिंदी"], name


# Exactly what normalization drops in the General Punctuation block (U+2000-U+206F),
# the Arabic block (U+0600-U+06FF) and Latin-1 (U+00A0-U+00FF): zero-width characters,
# bidi controls, the soft hyphen, Arabic tatweel, harakat, superscript alef and Quranic
# marks. Everything else there is a letter, a mark or a digit that stays, or
# punctuation or a space that separates words.
DROPPED = {0x00AD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, *range(0x202A, 0x202F), 0x2060,
           *range(0x2066, 0x206A), 0x061C, 0x0640, *range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670,
           *range(0x06D6, 0x06EE)}


@uses_fold_table
def test_exactly_the_invisible_characters_and_arabic_marks_are_dropped():
    scanned = [*range(0x00A0, 0x0100), *range(0x0600, 0x0700), *range(0x2000, 0x2070)]
    dropped = {c for c in scanned if normalize(f"ب{chr(c)}ب") == "بب"}
    assert sorted(map(hex, dropped)) == sorted(map(hex, DROPPED))
    # what is not dropped either stays inside the word or separates two words
    assert tokens("ؤبۮ ب؛ب co\u2010operate ١٠") == ["وبۮ", "ب", "ب", "co", "operate", "10"]


VARIANTS = [("ي", "ىیےۍېێ"), ("ك", "کڪ"), ("ه", "ہھەۀۂةۃ"), ("ا", "أإآٱٲٳ"), ("و", "ؤ")]


@uses_fold_table
def test_each_arabic_persian_urdu_letter_variant_becomes_its_base_letter():
    for base, others in VARIANTS:
        assert normalize(base) == base
        for variant in others:
            assert normalize(variant) == base, variant
            assert key(f"ب{variant}ت «{variant}»") == f"ب{base}ت {base}", variant


@uses_fold_table
def test_key_is_the_tokens_joined_by_single_spaces():
    """The form that `check`'s baseline hashes: a committed baseline depends on it."""
    assert key("  «Ye bhi PADHEN»:  यह\u200b भी — पढ़ें!  ") == "ye bhi padhen यह भी पढ़ें"
    assert key("یہ بھی پڑھیں") == "يه بهي پڑهيں"
    assert key("!!") == ""


@pytest.mark.parametrize("text, count, expected", [
    ("Also read: Markets fall", 2, True),
    ("Also read the report", 2, False),
    ("Also read", 2, True),              # the phrase is the whole line
    ("Also read:", 2, True),
    ("ये भी पढ़ें", 3, True),
    ("ये भी पढ़ें - मौसम", 3, True),
    ("ये भी पढ़ें मौसम", 3, False),
    ("Read\u200b more » Markets", 2, True),
    ("Read more\u200f Markets", 2, False),  # an invisible RLM is no separator
])
def test_separated_after(text, count, expected):
    assert separated_after(text, count) is expected


# Line breaks among the characters NFKC changes most: no-break spaces, Arabic presentation
# forms, ligatures, Hangul jamo that compose, combining marks that reorder or compose.
_NFKC_PROBES = "\n\n\r\xa0\u202f\u2026 \u2033\u2026\ufef7\ufe8e\ufb01\u1100\u1161\u11a8\u0301\u0323\u0327e\u0915\u093c\u0928\u0627\u064b"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from(_NFKC_PROBES), st.characters(codec="utf-8")), max_size=60))
def test_nfkc_of_a_document_line_by_line_is_pythons(text):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)
