"""Tokens per script: what matching sees after normalization."""
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


def test_other_scripts_are_words():
    assert tokens("আরও পড়ুন") == ["আরও", "পড়ুন"]
    assert tokens("இதையும் படிக்க") == ["இதையும்", "படிக்க"]
    assert tokens("Читайте также") == ["читайте", "также"]


def test_normalize_is_for_matching_only():
    text = "Ｈｅｌｌｏ"
    assert normalize(text) == "hello"
    assert text == "Ｈｅｌｌｏ"
