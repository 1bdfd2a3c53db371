import pytest

from dedup import lexicon, sign
from dedup.lexicon import LexiconError
from dedup.normalize import tokens

from .test_cli import report_of, run

def rule_of(line: str, lex: lexicon.Lexicon | None = None) -> str | None:
    """The rule that matches `line`, in the shipped lexicons loaded now (not at import:
    what is tested is what `load()` gives when the test runs)."""
    lex = lex or lexicon.load()
    hit = lex.match(tokens(line), line)
    assert lex.match_hashes(sign.word_hashes64(tokens(line)).tolist(), line) == hit   # as sketching asks
    return hit.rule if hit else None


def own_lexicon(tmp_path, toml: str) -> lexicon.Lexicon:
    path = tmp_path / "own.toml"
    path.write_text(toml, encoding="utf-8")
    return lexicon.load((str(path),))


@pytest.mark.parametrize("line, rule", [
    ("ये भी पढ़ें: बिहार में चुनाव की तारीखों का ऐलान", "hi/also-read"),
    ("यह भी पढ़ें - मौसम विभाग ने जारी किया अलर्ट", "hi/also-read"),
    ("یہ بھی پڑھیں: وزیراعظم کا قوم سے خطاب", "ur/also-read"),
    ("مزید پڑھیں » کراچی میں بارش", "ur/also-read"),
    ("اقرأ أيضاً: خادم الحرمين يستقبل ولي العهد", "ar/also-read"),
    ("إقرأ أيضا | ارتفاع أسعار النفط", "ar/also-read"),     # hamza and separator variants
    ("By Jill Disis, CNN Business", "en/source"), ("By LISA MASCARO, MARY CLARE JALONICK and ERIC TUCKER", "en/source"),
    ("Reporting by David Shepardson; Editing by Chizu Nomiyama", "en/source"),   # bylines: names after the phrase
    ("مواضيع ذات صلة", "ar/related"),
    ("  Related Articles:  ", "en/related"),
    ("Also read: Markets fall for a third day", "en/also-read"),
    ("© 2024 Example Media. All rights reserved.", "en/copyright"),
    ("Follow us on Twitter and Facebook", "en/follow"),
    ("Читайте также: Курс рубля упал", "ru/also-read"),
    ("Lire aussi : La grève continue", "fr/also-read"),
    ("Baca juga: Harga BBM naik", "id/also-read"),
    ("相关阅读：股市今日上涨", "zh/also-read"),
    ("आरो पढ़ें", None),
    # second phrasings of the widgets, and credits and source labels
    ("Photo: Reuters/John Smith", "en/credit"),
    ("Image source: Getty Images", "en/credit"),
    ("Source: The Associated Press", "en/source"),
    ("Most viewed", "en/related"),
    ("Share on LinkedIn", "en/share"),
    ("Be the first to comment", "en/comments"),
    ("Sponsored links", "en/advertisement"),
    ("تصوير: علي الزهراني", "ar/credit"),
    ("المصدر: وكالات", "ar/source"),
    ("أخبار مشابهة", "ar/related"),
    ("شارك عبر واتساب", "ar/share"),
    ("كن أول من يعلق", "ar/comments"),
    ("कॉपीराइट © 2024 दैनिक समाचार", "hi/copyright"),
    ("著作権 © 2024 毎日新聞社", "ja/copyright"),
    ("Keep reading: how the harbour was rebuilt", "en/also-read"),
])
def test_shipped_rules_match_boilerplate(line, rule):
    assert rule_of(line) == rule


@pytest.mark.parametrize("line", [
    "बैठक में कौन-कौन मौजूद?",                       # a content subheading
    "Also read the full report before voting.",     # prose starting like a teaser
    "Related to this, the minister said nothing.",
    "Copyright office rejects AI-generated art",    # a headline, no separator
    "شاهد عيان يروي تفاصيل الحادث",                  # "eyewitness", not "watch:"
    "He said all rights reserved by the treaty would lapse and that the court, after long deliberation "
    "over many months, had decided to refer the whole question of the treaty to a larger bench.",
    "Photo of the day shows the harbour at dawn",                 # the credits' and labels' traps
    "Sources: Yankees agree to a deal with the pitcher",
    "Source: officials plan to cut interest rates next month",    # a headline: longer than a credit
    "Via Rail cancels trains after the storm",
    "Up next week the council will vote",
    "Picture this: a city without cars and noise",
    "Credit card fees rise again",
    "مصدر: مخاوف بشأن الاحتكار تؤثر على صفقة اندماج",
    "المصدر: مخاوف بشأن الاحتكار تؤثر على الصفقة الكبرى",
    "تصوير الفيلم بدأ في الرياض الأسبوع الماضي",
    "… keep reading. I’m about to show you how to become an online business leader naturally and without "
    "spending a fortune on advertising",
    "कॉपीराइट कानून में संशोधन पर संसद में बहस",        # copyright law: headlines, not notices
    "संसद ने कॉपीराइट कानून में संशोधन पारित किया",
    "著作権法改正案が国会で成立",
    "政府は著作権の保護期間を延長した",
    "By Car", "By The Numbers", "By the river", "Reporting by local journalists first exposed the scheme in 2019.",
])
def test_content_is_not_matched(line):
    assert rule_of(line) is None


def test_every_phrase_is_matched_alike_by_its_words_and_by_their_hashes():
    lex = lexicon.load()
    phrases = [hit.phrase for hit in lex.whole.values()] + [
        entry[3].phrase for table in (lex.prefixes, lex.contained) for entries in table.values() for entry in entries]
    assert len(phrases) > 100
    for phrase in phrases:
        for line in (phrase, f"{phrase}: the harbour opens again", f"the harbour {phrase} opens", f"{phrase} x"):
            rule_of(line, lex)


def test_every_shipped_file_loads_with_unique_languages():
    shipped = lexicon.load()
    assert len(shipped.languages) == len(set(shipped.languages)) >= 16
    assert {"hi", "ur", "ar", "en", "bn", "fa", "zh"} <= set(shipped.languages)
    assert shipped.languages == sorted(shipped.languages)   # loaded in file-name order


@pytest.mark.parametrize("words, rule", [(15, "en/follow"), (16, "en/follow"), (17, None)])
def test_a_prefix_rule_matches_lines_up_to_its_max_tokens(words, rule):
    """en/follow has max_tokens = 16: "Follow us on …" is a widget line; a longer line
    starting so is prose."""
    line = " ".join(["Follow", "us", "on"] + "a journey through the old city where the river meets the sea and the markets open".split()[:words - 3])
    assert len(tokens(line)) == words
    assert rule_of(line) == rule


@pytest.mark.parametrize("words, rule", [(25, "en/copyright"), (26, None)])
def test_a_contains_rule_matches_lines_up_to_its_max_tokens(words, rule):
    """en/copyright "All rights reserved" has max_tokens = 25."""
    filler = ("The publisher and the authors of this small weekly paper from the coast say that "
              "every article and photograph here is theirs and").split()
    line = " ".join(filler[:words - 3]) + " all rights reserved"
    assert len(tokens(line)) == words
    assert rule_of(line) == rule


@pytest.mark.parametrize("widget, rule, quoting", [
    ("We use cookies to improve your experience on our site.", "en/cookies",
     "“We use cookies only with consent,” the company said in a statement."),
    ("Мы используем файлы cookie, чтобы сайт работал лучше.", "ru/cookies",
     "«Мы используем файлы cookie законно», — заявил представитель компании."),
    ("Nous utilisons des cookies pour améliorer votre expérience.", "fr/cookies",
     "« Nous utilisons des cookies pour mesurer l'audience », a déclaré la porte-parole."),
    ("نستخدم ملفات تعريف الارتباط لتحسين تجربتك", "ar/cookies",
     "وقال المتحدث إن الشركة نستخدم ملفات تعريف الارتباط وفق القانون"),
])
def test_a_contained_phrase_in_a_sentence_that_reports_speech_is_content(widget, rule, quoting):
    """A banner speaks for the site; a line that attributes the words to someone
    (data/reporting.toml) quotes it."""
    assert rule_of(widget) == rule
    assert rule_of(quoting) is None
    assert rule_of(quoting.replace("said", "wrote").replace("заявил", "написал")
                   .replace("a déclaré", "a écrit").replace("وقال", "وكتب")) == rule   # no verb of saying: a hit


def test_a_contained_phrase_followed_by_a_sentence_in_another_script_is_quoted():
    """A foreign phrase running on into a sentence of another language is that sentence's;
    a bilingual notice ends with it, or holds words of the phrase's script after it."""
    assert rule_of("All rights reserved लिखकर बेची जा रही थीं नकली किताबें, पुलिस ने गोदाम पर छापा मारा") is None
    assert rule_of("All rights reserved लिखकर बेची जा रहीं") == "en/copyright"   # four words: too few to tell
    assert rule_of("Copyright 2024 ABP Live | All Rights Reserved | हमारे बारे में | संपर्क करें") == "en/copyright"
    assert rule_of("जागरण प्रकाशन लिमिटेड, सभी अधिकार सुरक्षित हैं। All Rights Reserved") == "en/copyright"
    assert rule_of("नकली किताबों पर लिखा था All rights reserved और पुलिस ने गोदाम पर छापा मारा") is None


def test_a_prefix_phrase_alone_on_its_line_is_boilerplate():
    """With a separator required, the phrase may still be the whole line."""
    assert rule_of("See also") == "en/also-read"
    assert rule_of("ये भी देखें:") == "hi/also-read"


def test_a_comma_separates_a_label_only_from_a_name_of_a_few_words():
    """A comma joins a sentence's clauses; after a credit's label it comes before a name."""
    assert rule_of("Sur le même sujet, le ministre n'a pas souhaité s'exprimer mardi.") is None
    assert rule_of("See also, for the background, the report of 2019") is None
    assert rule_of("Sur le même sujet : le ministre n'a pas souhaité s'exprimer") == "fr/also-read"
    assert rule_of("Image source, Getty Images") == "en/credit"
    assert rule_of("Image source, AFP via Getty Images") == "en/credit"
    assert rule_of("Related, the minister added, to the budget") is None   # six words: a clause
    assert rule_of("تصویر کا ذریعہ،Getty Images") == "ur/credit"


def test_an_opening_quote_is_no_separator():
    """It opens a quoted title, which a heading or a sentence holds as well as a teaser."""
    assert rule_of("More “Questions” for your opponent") is None
    assert rule_of('Watch "The Crown" on Sunday evenings') is None
    assert rule_of("Watch: “The Crown” returns") == "en/also-read"
    assert rule_of("Lire aussi « Le gouvernement recule sur la réforme »") == "fr/also-read"


def test_a_user_rule_with_its_own_limits(tmp_path):
    lex = own_lexicon(tmp_path, 'language = "sw"\n'
                      '[[rule]]\nid = "video"\nmatch = "contains"\nmax_tokens = 4\nphrases = ["tazama video"]\n'
                      '[[rule]]\nid = "one"\nmatch = "prefix"\nmax_tokens = 1\nphrases = ["Matangazo"]\n'
                      '[[rule]]\nid = "soma"\nmatch = "prefix"\nseparator = false\nphrases = ["Soma zaidi"]\n')
    assert lex.languages[-1] == "sw"
    assert rule_of("Bofya hapa tazama video", lex) == "sw/video"           # 4 words: inside the limit
    assert rule_of("Bofya hapa sasa tazama video", lex) is None            # 5 words
    assert rule_of("Matangazo", lex) == "sw/one" and rule_of("Matangazo: leo", lex) is None
    assert rule_of("Soma zaidi kuhusu uchaguzi", lex) == "sw/soma"         # no separator needed


@pytest.mark.parametrize("line, byline", [
    ("By Jill Disis, CNN Business", True), ("By Tess Bonn - 11/19/19 06:56 AM EST", True),
    ("By Troy L. Smith, Cleveland.com", True), ("By Mike Wuerthele and Malcolm Owen", True),
    ("By LISA MASCARO, MARY CLARE JALONICK and ERIC TUCKER", True), ("By Abigail Van Buren", True),
    ("By REUTERS", True), ("Written by Rachael Link, MS, RD on November 14, 2019", True),
    ("Written by Vortex", True), ("Por Ana Belén García", True),
    # one word after a one-word phrase, a capital function word, a lower-case word, a sentence: no name
    ("By Car", False), ("By Reuters", False), ("By The Numbers", False), ("By the river", False),
    ("By 2030 the city will double its tram network", False), ("Por qué sube el precio del pan", False),
    ("By Monday Morning, the queue stretched around the block.", False), ("By Anna Karenina Maria Louisa Smith", False),
    ("By and large", False), ("By", False), ("By Jill Disis and", False), ("By Jill Disis or Tess Bonn", False),
])
def test_a_byline_is_its_phrase_and_names_and_a_heading_or_a_sentence_is_not(line, byline):
    """What a `names = true` rule needs after its phrase (one word: "By", "Por"; or two)."""
    assert lexicon.names_after(line, 2 if line.startswith("Written by") else 1) == byline


def test_a_names_rule_takes_a_byline_after_its_phrase(tmp_path):
    lex = own_lexicon(tmp_path, 'language = "sw"\n[[rule]]\nid = "byline"\nmatch = "prefix"\nnames = true\n'
                                'max_tokens = 12\nphrases = ["Na", "Imeandikwa na"]\n')
    assert rule_of("Na Juma Hassan, Dar es Salaam", lex) == "sw/byline"
    assert rule_of("Imeandikwa na Amina", lex) == "sw/byline" and rule_of("Imeandikwa na mwandishi wetu", lex) is None
    assert rule_of("Na Mwanza", lex) is None and rule_of("Na wao walikubali mpango huo jana", lex) is None


def test_a_quoted_rule_takes_a_title_in_quotes_after_its_phrase_and_its_number(tmp_path):
    """A prefix phrase that starts with `#` follows a number; `quoted = true` asks for a
    title in quotes to the line's end, as a blog's comment heading has."""
    lex = own_lexicon(tmp_path, 'language = "sw"\n[[rule]]\nid = "comments"\nmatch = "prefix"\nquoted = true\n'
                                'phrases = ["# maoni kuhusu", "Maoni kuhusu"]\n')
    assert rule_of("12 maoni kuhusu “Bajeti mpya ya barabara”", lex) == "sw/comments"
    assert rule_of("1,204 maoni kuhusu «Bajeti»:", lex) == "sw/comments"
    assert rule_of("Maoni kuhusu “Bajeti”", lex) == "sw/comments"
    assert rule_of("12 maoni kuhusu bajeti yalipokelewa jana", lex) is None        # a sentence
    assert rule_of("12 maoni kuhusu “bajeti” yalipokelewa jana", lex) is None      # a quote inside one
    assert rule_of("Wanachama 12 maoni kuhusu “Bajeti”", lex) is None             # no number first
    assert rule_of("12 Responses to “Council approves new budget for road repairs”") == "en/comments"
    assert rule_of("12 responses to the survey were negative, the council said") is None


@pytest.mark.parametrize("stamp, rule", [
    ("32M ago", "en/timestamp"), ("1 day ago", "en/timestamp"), ("Updated 16 minutes ago", "en/timestamp"),
    ("منذ ٣ ساعات", "ar/timestamp"), ("۵ منٹ پہلے", "ur/timestamp"), ("۲ ساعت پیش", "fa/timestamp"),
    ("३ घंटे पहले", "hi/timestamp"), ("२ घण्टा अगाडि", "ne/timestamp"), ("৩ ঘণ্টা আগে", "bn/timestamp"),
    ("3 மணி நேரம் முன்", "ta/timestamp"), ("२ तासांपूर्वी", "mr/timestamp"), ("5 минут назад", "ru/timestamp"), ("3 saat önce", "tr/timestamp"),
    ("3小时前", "zh/timestamp"), ("15分前", "ja/timestamp"), ("vor 3 Stunden", "de/timestamp"),
    ("il y a 2 heures", "fr/timestamp"), ("hace 5 minutos", "es/timestamp"), ("há 2 horas", "pt/timestamp"),
    ("2 jam yang lalu", "id/timestamp"),
    # a date and a time, with the words of calendar.toml's `stamp` lists
    ("Updated 1:39 am EST, Wednesday, November 20, 2019", "en/timestamp"), ("Monday 3:00PM", "en/timestamp"),
    ("نشر في ١٢ مارس ٢٠١٩ الساعة ١٠:٣٠", "ar/timestamp"), ("अपडेटेड 20 नवंबर 2019, 10:30 बजे", "hi/timestamp"),
    ("۲۸ آبان ۱۳۹۸ ساعت ۱۰:۳۰", "fa/timestamp"), ("发布时间：2019年11月19日 10:30", "zh/timestamp"),
    ("Опубликовано 19 ноября 2019 в 10:30", "ru/timestamp"), ("Publié le 19 novembre 2019 à 10h30", "fr/timestamp"),
    ("Actualizado el 19 de noviembre de 2019 a las 10:30", "es/timestamp"), ("2 days ago at 07:52 am", "en/timestamp"),
    ("اليوم الساعة ١٠:٣٠", "ar/timestamp"),
    # a clock with a dot, beside a stamp word: figures with a dot and a date beside a figure stay
    ("Last modified on Thu 12 Sep 2024 18.40 BST", "en/timestamp"), ("March 2024: 3.50", None),
    ("12 March 2024 18.40", None), ("31.10.2023, 19.18 Uhr", "de/timestamp"),
    # a full date without a time after a publication label (calendar.toml's `published`); a date alone, a month
    # and a year, or a date after other words stays
    ("Published 12.03.2024", "en/timestamp"), ("Updated: 06 December 2019", "en/timestamp"),
    ("Дата публикации: 05.06.2024", "ru/timestamp"), ("به‌روز شده ۵ نوامبر ۲۰۲۴", "fa/timestamp"),
    ("Published March 2024", None), ("Published: The Lancet, 12 March 2024", None),
    ("Die Veröffentlichung am 2. Februar 2022 war ein Erfolg.", None),
    # two times as a span: opening hours, a programme's slot
    ("08:30 - 12:00 Uhr", None), ("Montag - Freitag: 08.00 - 16.00 Uhr", None), ("Mon - Fri 8:00am - 5:00pm", None),
    # a comment count
    ("[ 167 comments ]", "en/comments"), ("167 Kommentare", "de/comments"), ("٣ تعليقات", "ar/comments"),
    ("12 comments on the budget were filed by Friday", None),
    # a number's time inside a sentence, a time without "ago", an age, a time with other words, numbers alone: content
    ("3 hours ago the plane landed safely in Oslo", None), ("3 hours", None), ("منذ 3 سنوات", None),
    ("17H ago 50 photos", None), ("Kick-off at 7:30 pm", None), ("The meeting ended at 7:30 pm on Monday.", None),
    ("2015-08-10 16:09:03", None), ("Tuesday 19 November 2019", None), ("Race won in 2h30", None),
])
def test_a_time_ago_or_a_date_and_time_on_a_line_of_its_own_is_a_timestamp(tmp_path, write_corpus, stamp, rule):
    """A line phrase with `#` stands for the line with any number there, in any script's
    digits; a line of a date and a clock time, with only month and weekday names and
    calendar.toml's stamp words beside, is its language's timestamp. Asked of the line
    alone and through a whole run's sketching."""
    assert rule_of(stamp) == rule
    corpus = write_corpus({"a.txt": f"The harbour will open again in spring, the council said on Monday.\n{stamp}\n"})
    out = tmp_path / "out"
    assert run("clean", corpus, "-o", out, "--dry-run").exit_code == 0
    removed = [(r["rule"], r["lines"]) for r in report_of(out)["documents"][0]["removed"]]
    assert removed == ([(f"lexicon:{rule}", [2, 2])] if rule else [])


def test_user_lexicon_on_the_command_line(tmp_path, write_corpus):
    own = tmp_path / "site.toml"
    own.write_text('language = "sw"\n[[rule]]\nid = "follow"\nmatch = "line"\n'
                   'phrases = ["Tufuate kwenye mitandao ya kijamii"]\n', encoding="utf-8")
    corpus = write_corpus({"a.txt": "Habari za leo ni nzuri sana kwa wakulima wa kahawa.\n"
                                    "Tufuate kwenye mitandao ya kijamii\n"})
    out = tmp_path / "out"
    result = run("clean", corpus, "-o", out, "--lexicon", own)
    assert result.exit_code == 0, result.output
    (removed,) = report_of(out)["documents"][0]["removed"]
    assert removed["rule"] == "lexicon:sw/follow" and removed["lines"] == [2, 2]
    assert (out / "a.txt").read_text(encoding="utf-8") == "Habari za leo ni nzuri sana kwa wakulima wa kahawa.\n"


@pytest.mark.parametrize("content, message", [
    ("language = \n", "not a valid TOML lexicon"),
    ('language = "xx"\n[[rule]]\nid = "a"\nmatch = "anywhere"\nphrases = ["x"]\n', "needs id, match"),
    ('language = "xx"\n[[rule]]\nid = "a"\nmatch = "line"\nphrases = ["!!"]\n', "has no words"),
    ('language = "xx"\n[[rule]]\nid = "a"\nmatch = "prefix"\nseparator = "yes"\nphrases = ["x"]\n', "true or false"),
    ('language = "xx"\n[[rule]]\nid = "a"\nmatch = "line"\nphrases = []\n',
     "every [[rule]] needs id, match (line/prefix/contains) and phrases"),
    ('language = "xx"\n[[rule]]\nid = "a"\nmatch = "contains"\nmax_tokens = 0\nphrases = ["x"]\n',
     "max_tokens of rule 'a' must be a positive integer"),
    ('language = "xx"\n[[rule]]\nid = "a"\nmatch = "contains"\nmax_tokens = "5"\nphrases = ["x"]\n',
     "max_tokens of rule 'a' must be a positive integer"),
    ('[[rule]]\nid = "a"\nmatch = "line"\nphrases = ["x"]\n', "a lexicon needs `language = \"..\"` and [[rule]] tables"),
    ('language = "xx"\nname = "no rules"\n', "a lexicon needs `language = \"..\"` and [[rule]] tables"),
    ('language = "xx"\n[[rule]]\nid = "a"\nmatch = "line"\nphrases = ["# #"]\n', "phrase '# #' of rule 'a' is only numbers"),
    ('language = "xx"\n[[rule]]\nid = "a"\nmatch = "line"\nnames = true\nphrases = ["By"]\n', "only a prefix's"),
    ('language = "xx"\n[[rule]]\nid = "a"\nmatch = "prefix"\nnames = 1\nphrases = ["By"]\n', "must be true or false"),
    ('language = "xx"\n[[rule]]\nid = "a"\nmatch = "line"\nquoted = true\nphrases = ["x"]\n', "only a prefix's"),
    ('language = "xx"\n[[rule]]\nid = "a"\nmatch = "prefix"\nquoted = true\nnames = true\nphrases = ["x"]\n',
     "only a prefix's without names"),
    ('language = "xx"\nrule = [1, 2]\n', "every rule is a [[rule]] table, not int 1"),
    ('language = "xx"\nrule = ["also-read"]\n', "every rule is a [[rule]] table, not str 'also-read'"),
    ('language = "xx"\n[[rule]]\nid = "a"\nmatch = "prefix"\nphrases = [["Foo", "bar"]]\n',
     "phrase ['Foo', 'bar'] of rule 'a' is not a string"),
    ('language = "xx"\n[[rule]]\nid = "a"\nmatch = "prefix"\nseperator = false\nphrases = ["x"]\n',
     "rule 'a' has an unknown key 'seperator' (a rule's keys: id, match, max_tokens, names, phrases, quoted, separator)"),
    ('language = "xx"\nlanguages = ["xx"]\n[[rule]]\nid = "a"\nmatch = "line"\nphrases = ["x"]\n',
     "unknown key 'languages'"),
], ids=["toml", "match", "no-words", "separator", "no-phrases", "max-tokens-0", "max-tokens-str", "no-language",
        "no-rules", "only-numbers", "names-line", "names-type", "quoted-line", "quoted-names", "rule-ints", "rule-strs",
        "phrase-list",
        "rule-key", "lexicon-key"])
def test_malformed_user_lexicon_is_one_line_error(tmp_path, write_corpus, content, message):
    own = tmp_path / "bad.toml"
    own.write_text(content, encoding="utf-8")
    result = run("clean", write_corpus({"a.txt": "text\n"}), "-o", tmp_path / "out", "--lexicon", own)
    assert result.exit_code == 2
    assert result.output.startswith(f"dedup: error: {own}: ") and message in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_missing_user_lexicon(tmp_path, write_corpus):
    result = run("clean", write_corpus({"a.txt": "text\n"}), "-o", tmp_path / "out", "--lexicon", tmp_path / "no.toml")
    assert result.exit_code == 2 and "cannot read lexicon" in result.output


def test_loading_rejects_a_missing_file():
    with pytest.raises(LexiconError, match="cannot read lexicon"):
        lexicon.load(("/nonexistent/lexicon.toml",))


def test_a_teaser_prefix_on_the_first_line_is_a_title(tmp_path, write_corpus):
    body = "The council met on Tuesday and agreed the budget for the coming year after a long debate.\n"
    corpus = write_corpus({"a.txt": "Read more: how the budget was won\n" + body + "Read more: the rival plan\n"})
    out = tmp_path / "out"
    assert run("clean", corpus, "-o", out).exit_code == 0
    (removed,) = report_of(out)["documents"][0]["removed"]
    assert removed["lines"] == [3, 3] and removed["rule"] == "lexicon:en/also-read"


@pytest.fixture
def store(tmp_path, monkeypatch):
    """The parsed-lexicon store in a folder of the test's own, no lexicon parsed in this process."""
    folder = tmp_path / "store"
    monkeypatch.setattr(lexicon, "store_folder", lambda: folder)
    lexicon._parsed.cache_clear()
    yield folder
    lexicon._parsed.cache_clear()


def _parses(monkeypatch) -> list:
    calls = []
    parse = lexicon._load_file
    monkeypatch.setattr(lexicon, "_load_file", lambda *args: calls.append(args[2]) or parse(*args))
    return calls


def test_the_shipped_lexicons_are_parsed_once_and_read_back_the_same_from_the_store(store, monkeypatch):
    parses = _parses(monkeypatch)
    first = lexicon.load()
    assert len(parses) == len(first.languages) >= 18 and len(list(store.glob("lexicons-*.pickle"))) == 1
    lexicon._parsed.cache_clear()   # as a new process would
    parses.clear()
    again = lexicon.load()
    assert parses == [] and again == first and again is not first
    assert rule_of("ये भी पढ़ें: किसानों का आंदोलन", again) == rule_of("ये भी पढ़ें: किसानों का आंदोलन", first) is not None


def test_a_users_lexicon_is_parsed_on_top_of_the_stored_ones_and_never_stored(store, tmp_path, monkeypatch):
    lexicon.load()
    stored = sorted(store.iterdir())
    mine = tmp_path / "sw.toml"
    mine.write_text('language = "sw"\n[[rule]]\nid = "also-read"\nmatch = "prefix"\nphrases = ["Soma pia"]\n', "utf-8")
    lexicon._parsed.cache_clear()
    parses = _parses(monkeypatch)
    both = lexicon.load((str(mine),))
    assert parses == [str(mine)] and sorted(store.iterdir()) == stored
    assert rule_of("Soma pia: Rais azungumza", both) == "sw/also-read"
    lexicon._parsed.cache_clear()
    assert rule_of("Soma pia: Rais azungumza", lexicon.load()) is None   # the stored lexicon did not take it in


def test_other_files_or_other_code_make_another_entry_and_the_old_one_goes(store, monkeypatch):
    shipped = lexicon.resources.files("dedup") / "lexicon"
    files = tuple((f"lexicon/{e.name}", e.read_bytes()) for e in sorted(shipped.iterdir(), key=lambda e: e.name)
                  if e.name.endswith(".toml"))
    lexicon._stored(files)
    (before,) = store.iterdir()
    edited = files[:-1] + ((files[-1][0], files[-1][1] + b'\n[[rule]]\nid = "x"\nmatch = "line"\nphrases = ["Zzq qqz"]\n'),)
    assert rule_of("Zzq qqz", lexicon._stored(edited)) is not None
    (after,) = store.iterdir()
    assert after.name != before.name
    assert rule_of("Zzq qqz", lexicon._stored(files)) is None


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05K\x01."])
def test_a_damaged_store_entry_is_parsed_again_and_replaced(store, monkeypatch, damage):
    first = lexicon.load()
    (entry,) = store.iterdir()
    entry.write_bytes(damage)
    lexicon._parsed.cache_clear()
    parses = _parses(monkeypatch)
    assert lexicon.load() == first and parses
    assert entry.read_bytes() != damage


def test_a_store_that_cannot_be_written_costs_only_the_parse(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setattr(lexicon, "store_folder", lambda: blocker / "store")
    lexicon._parsed.cache_clear()
    try:
        assert rule_of("Related articles", lexicon.load()) is not None
    finally:
        lexicon._parsed.cache_clear()
