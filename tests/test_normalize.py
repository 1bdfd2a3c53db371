"""Tokens per script: what matching sees after normalization."""
import json

import pytest
from click.testing import CliRunner

from dedup.cli import main
from dedup.normalize import key, normalize, tokens


def test_devanagari_words_keep_vowel_signs_and_virama():
    assert tokens("बैठक में कौन-कौन मौजूद?") == ["बैठक", "में", "कौन", "कौन", "मौजूद"]
    assert tokens("जेलेंस्की ने अमेरिका को कहा शुक्रिया") == ["जेलेंस्की", "ने", "अमेरिका", "को", "कहा", "शुक्रिया"]
    # Python's re \w would split these at the vowel sign / virama:
    assert len(tokens("क्रिकेट")) == 1


def test_hindi_danda_and_quotes_are_punctuation():
    assert tokens("‘यूक्रेन ने नहीं किया ड्रोन अटैक…’ पुतिन।") == ["यूक्रेन", "ने", "नहीं", "किया", "ड्रोन", "अटैक", "पुतिन"]


def test_urdu_and_arabic_letter_variants_unify():
    # Farsi/Urdu yeh and keheh versus Arabic yeh and kaf; heh goal / do-chashmi heh
    assert key("یہ بھی پڑھیں") == key("يه بهي پڑهيں")
    assert key("کتاب") == key("كتاب")
    assert key("مكتبة") == key("مكتبه")
    assert key("أحمد إلى آخر") == key("احمد الى اخر")


def test_arabic_harakat_and_tatweel_dropped():
    assert tokens("مُحَمَّدٌ") == tokens("محمد")
    assert tokens("العـــربية") == tokens("العربية")


def test_digits_of_every_script_unify():
    assert tokens("٢٠٢٤ ۲۰۲۴ २०२४ ২০২৪ ௨௦௨௪ 2024") == ["2024"] * 6
    assert tokens("２０２４") == ["2024"]          # fullwidth, by NFKC


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


@pytest.mark.parametrize("control", BIDI_CONTROLS.values(), ids=BIDI_CONTROLS.keys())
def test_bidi_controls_are_dropped(control):
    """Inside a word, a bidi control must not split it: the copy still matches."""
    assert tokens(f"مك{control}تبة الجا{control}معة") == tokens("مكتبة الجامعة") == ["مكتبه", "الجامعه"]
    assert normalize(f"{control}Copy{control}right{control}") == "copyright"


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
