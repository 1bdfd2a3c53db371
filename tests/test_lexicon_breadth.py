"""The shipped lexicons beyond each widget's first phrasing: for every language and every
family, second and third phrasings that news and web sites use ("More on this story",
"المزيد حول هذه القصة", "सबसे ज़्यादा पढ़ी गई"), photo credits and source labels, each with a
line of content in the same language that starts the same way, or holds the same words,
and must be left alone."""
import tomllib
from importlib import resources

import pytest

from .test_lexicon import rule_of

# language: [(boilerplate line, the rule it matches, content line that must not match)]
CASES = {
    "ar": [
        ("انظر أيضا: ارتفاع أسعار الذهب في الأسواق المحلية", "ar/also-read",
         "انظر أيضا إلى ما قاله الوزير في المؤتمر الصحفي"),
        ("المزيد حول هذه القصة", "ar/related", "المزيد حول هذه القصة سينشر في عدد الغد من الصحيفة"),
        ("...المزيد", "ar/related", "المزيد من الأمطار متوقعة على المرتفعات الجنوبية"),
        ("ذات صلة", "ar/related", "ذات صلة بالقضية التي ينظرها القضاء منذ عامين"),
        ("الرابط المختصر", "ar/share", "الرابط المختصر بين الطريقين يخفف الزحام في العاصمة"),
        ("انضم إلينا على تيليجرام", "ar/follow", "انضم إلى المنتخب ثلاثة لاعبين جدد قبل البطولة"),
        ("اشترك في النشرة الإخبارية", "ar/subscribe", "اشترك في النشرة الإخبارية أكثر من مليون قارئ خلال عام"),
        ("عرض التعليقات", "ar/comments", "عرض التعليقات المسيئة على المنصة يثير الجدل"),
        ("محتوى ممول", "ar/advertisement", "محتوى ممول من جهات أجنبية يثير قلق الهيئة"),
        ("كافة الحقوق محفوظة لصحيفة اليوم 2015", "ar/copyright", "وأكد الوزير أن كافة حقوق العمال ستصان"),
        ("نستخدم ملفات تعريف الارتباط لتحسين تجربتك على موقعنا", "ar/cookies",
         "ملفات تعريف الارتباط تثير مخاوف المدافعين عن الخصوصية"),
        ("مصدر الصورة: رويترز", "ar/credit", "مصدر الصورة التي انتشرت على مواقع التواصل لا يزال مجهولا"),
        ("صورة: واس", "ar/credit", "صورة تذكارية للمشاركين في الملتقى"),
        ("مصدر الخبر: وكالة الأنباء السعودية", "ar/source", "مصدر الخبر أكد أن الاجتماع سيعقد الأسبوع المقبل"),
        ("نقلاً عن: العربية", "ar/source", "نقلا عن مصادر مطلعة فإن الاجتماع تأجل"),
    ],
    "bn": [
        ("এই ওয়েবসাইট কুকি ব্যবহার করে আপনার অভিজ্ঞতা উন্নত করতে", "bn/cookies", "কুকি নিয়ে নতুন নীতিমালা ঘোষণা করেছে সরকার"),
        ("এ সম্পর্কিত আরও পড়ুন", "bn/related", "এ সম্পর্কিত আরও তথ্য জানতে চেয়েছে আদালত"),
        ("বিস্তারিত পড়ুন: বাজেটে কী আছে", "bn/also-read", "বিস্তারিত তথ্য প্রকাশ করেনি পুলিশ"),
        ("সর্বশেষ", "bn/related", "সর্বশেষ খবর অনুযায়ী নিহতের সংখ্যা বেড়ে দাঁড়িয়েছে ২০ জনে"),
        ("ফেসবুকে শেয়ার করুন", "bn/share", "ফেসবুকে শেয়ার করা ভিডিও নিয়ে তোলপাড়"),
        ("প্রথম আলোর খবর পেতে গুগল নিউজ চ্যানেল ফলো করুন", "bn/follow", "গুগল নিউজ চালু করল নতুন সুবিধা"),
        ("নিউজলেটার", "bn/subscribe", "নিউজলেটার প্রকাশ করল বাংলাদেশ ব্যাংক"),
        ("মন্তব্য লিখুন", "bn/comments", "মন্তব্য করতে রাজি হননি মন্ত্রী"),
        ("স্পনসরড", "bn/advertisement", "স্পনসরড কনটেন্ট নিয়ে নতুন নীতিমালা"),
        ("কপিরাইট © ২০২৪ প্রথম আলো", "bn/copyright", "কপিরাইট আইন সংশোধনের প্রস্তাব মন্ত্রিসভায়"),
        ("ছবি: প্রথম আলো", "bn/credit", "ছবি তোলার সময় দুর্ঘটনায় পর্যটকের মৃত্যু"),
        ("প্রতীকী ছবি", "bn/credit", "প্রতীকী ছবি আঁকার প্রতিযোগিতায় প্রথম হয়েছে রিয়া"),
        ("সূত্র: রয়টার্স", "bn/source", "সূত্র জানায়, বৈঠকে কোনো সিদ্ধান্ত হয়নি"),
    ],
    "de": [
        ("Lesen Sie dazu: Die Bahn streikt erneut", "de/also-read",
         "Lesen Sie dazu auch die Stellungnahme des Ministeriums auf Seite drei"),
        ("Weitere Nachrichten", "de/related", "Weitere Nachrichten aus der Region folgen nach der Pause"),
        ("Am meisten gelesen", "de/related", "Am meisten gelesen wurde der Bericht über die Flut"),
        ("Auf WhatsApp teilen", "de/share", "Auf WhatsApp teilen viele Nutzer Falschmeldungen"),
        ("Folgt uns auf Instagram", "de/follow", "Folgt man der Argumentation des Gerichts, ist das Gesetz nichtig"),
        ("Abonnieren Sie unseren Newsletter für die wichtigsten Nachrichten", "de/subscribe",
         "Abonnieren lohnt sich für Pendler kaum, sagt der Verkehrsverbund"),
        ("Diskutieren Sie mit", "de/comments", "Diskutieren Sie mit Ihren Kindern über Medien, rät die Psychologin"),
        ("Weiter nach der Anzeige", "de/advertisement", "Weiter nach Süden zieht das Unwetter am Abend"),
        ("Diese Seite verwendet Cookies, um Ihnen das beste Erlebnis zu bieten.", "de/cookies",
         "Die Seite verwendet nach Angaben der Forscher keine Tracker"),
        ("Foto: dpa/Michael Kappeler", "de/credit", "Foto zeigt den Kanzler beim Treffen in Brüssel"),
        ("Bildquelle: picture alliance", "de/credit", "Bildquelle unklar: Ermittler prüfen Video aus dem Netz"),
        ("Quelle: dpa", "de/source", "Quelle der Verunreinigung ist ein undichtes Rohr"),
        ("Vervielfältigung nur mit Genehmigung der SPIEGEL-Gruppe", "de/copyright",
         "Vervielfältigung von Banknoten ist strafbar"),
    ],
    "en": [
        ("Further reading: The history of the harbour", "en/also-read",
         "Further reading of the bill is scheduled for Tuesday"),
        ("More on this topic", "en/related", "More on this topic was expected from the committee"),
        ("Keep reading", "en/related", "Keep reading habits alive in schools, minister urges"),
        ("Like this:", "en/share", "Like this year's budget, the plan cuts spending"),
        ("Leave a Reply Cancel reply", "en/comments", "Leave a reply to the council by Friday, residents told"),
        ("Paid partnership", "en/advertisement", "Paid partnership with the city funds the new library"),
        ("Our website uses cookies to improve your experience.", "en/cookies",
         "The bakery's website uses cookies as its logo"),
        ("Cookie policy", "en/cookies", "Cookie policy changes anger online advertisers"),
        ("Photo by Jane Smith/Reuters", "en/credit",
         "Photo by photo, the exhibition traces the city's long history of floods"),
        ("Image courtesy of NASA", "en/credit",
         "Image courtesy of the artist's estate was granted after a long legal battle with the museum"),
        ("Connect with us on LinkedIn", "en/follow", "Connect with the past at the town's new museum"),
        ("Newsletter signup", "en/subscribe", "Newsletter signup numbers doubled after the redesign"),
        ("Copyright © 2024 Example Media", "en/copyright", "Copyright law is changing fast, experts warn"),
        ("Via: The Guardian", "en/source", "Via the new bridge, commuters save an hour each day"),
        ("Share this with WhatsApp", "en/share", "Share this with everyone who cares about the harbour, the mayor said"),
        ("Copy this link", "en/share", "Copy this link to the old railway, engineers say"),
        ("Image copyright Getty Images", "en/credit", "Image copyright rules tighten for newspapers"),
    ],
    "es": [
        ("Sigue leyendo: El Gobierno aprueba la reforma", "es/also-read",
         "Sigue leyendo a Cervantes cada mañana a sus 90 años"),
        ("Más sobre este tema", "es/related", "Más sobre este tema se sabrá la semana próxima, dijo el portavoz"),
        ("Lo más popular", "es/related", "Lo más popular del festival fue el concierto de clausura"),
        ("Compartir en LinkedIn", "es/share",
         "Compartir en redes sociales datos personales es un riesgo, advierte la policía"),
        ("Sigue toda la información de Internacional en Facebook y X, o en nuestra newsletter semanal",
         "es/follow", "Sigue la búsqueda de los desaparecidos en la sierra"),
        ("Apúntate a nuestra newsletter", "es/subscribe", "Apúntate a la carrera solidaria del domingo"),
        ("Sé el primero en comentar", "es/comments", "Sé el primero en llegar, dijo el entrenador a sus jugadores"),
        ("Patrocinado", "es/advertisement", "Patrocinado por el ayuntamiento, el festival vuelve este verano"),
        ("© Ediciones El País S.L. Reservados todos los derechos", "es/copyright",
         "Los derechos de los trabajadores están reservados por ley, dijo la ministra"),
        ("Aceptar todas las cookies", "es/cookies", "Las cookies de chocolate triunfan en la feria"),
        ("Fuente de la imagen, Getty Images", "es/credit",
         "Fuente de la información fue un alto cargo del ministerio"),
        ("Fotografía: EFE", "es/credit", "Fotografía de una época: la exposición del Prado"),
        ("Imagen: Getty Images", "es/credit", "Imagen del día: la erupción del volcán"),
        ("Fuente: Ministerio de Sanidad", "es/source", "Fuente cercana al Gobierno niega la dimisión del ministro"),
    ],
    "fa": [
        ("این وب‌سایت از کوکی استفاده می‌کند تا تجربه بهتری داشته باشید", "fa/cookies", "استفاده از کوکی‌ها در سایت‌های دولتی ممنوع شد"),
        ("همچنین ببینید: ویدیوی لحظه زلزله", "fa/also-read", "همچنین ببینید چه کسانی در جلسه حضور داشتند"),
        ("خبرهای مرتبط", "fa/related", "خبرهای مرتبط با انتخابات را دنبال می‌کنیم"),
        ("نسخه چاپی", "fa/share", "نسخه چاپی روزنامه از فردا منتشر نمی‌شود"),
        ("ما را در شبکه‌های اجتماعی دنبال کنید", "fa/follow", "کاربران در شبکه‌های اجتماعی از این تصمیم انتقاد کردند"),
        ("عضویت در خبرنامه", "fa/subscribe", "عضویت در خبرنامه‌های دولتی اجباری شد"),
        ("دیدگاه خود را بنویسید", "fa/comments", "دیدگاه خود را درباره برجام بیان کرد"),
        ("رپرتاژ آگهی", "fa/advertisement", "رپرتاژ آگهی‌ها زیر ذره‌بین سازمان تبلیغات"),
        ("کلیه حقوق مادی و معنوی این سایت متعلق به خبرگزاری است", "fa/copyright",
         "حقوق مادی و معنوی هنرمندان باید حفظ شود"),
        ("استفاده از مطالب با ذکر منبع بلامانع است", "fa/copyright",
         "استفاده از مطالب علمی بدون ذکر منبع تخلف است"),
        ("عکس: ایرنا", "fa/credit", "عکس یادگاری رئیس جمهور با ورزشکاران"),
        ("منبع تصویر،Getty Images", "fa/credit", "منبع تصویر منتشر شده هنوز مشخص نیست"),
        ("منبع: ایسنا", "fa/source", "منبع آگاه: مذاکرات به زودی از سر گرفته می‌شود"),
    ],
    "fr": [
        ("À découvrir aussi : les plus beaux villages de France", "fr/also-read",
         "À découvrir aussi dans le musée, une collection de monnaies anciennes"),
        ("Les plus partagés", "fr/related", "Les plus partagés sur les réseaux sont souvent des contenus faux"),
        ("Vous aimerez aussi", "fr/related", "Vous aimerez aussi le nouveau parc, promet le maire"),
        ("Partager sur LinkedIn", "fr/share", "Partager sur les réseaux sociaux des photos d'enfants est risqué"),
        ("Retrouvez-nous sur Facebook et Instagram", "fr/follow",
         "Retrouvez notre dossier complet dans l'édition de dimanche"),
        ("Je m'abonne", "fr/subscribe", "Je m'abonne à ce journal depuis trente ans, raconte une lectrice"),
        ("Réagir à cet article", "fr/comments", "Réagir à cette crise exige des moyens, dit le ministre"),
        ("La suite après la publicité", "fr/advertisement",
         "La suite après la victoire s'annonce compliquée pour l'équipe"),
        ("© Le Monde. Tous droits de reproduction réservés", "fr/copyright",
         "Les droits de reproduction sont réservés aux auteurs, rappelle la Sacem"),
        ("Ce site web utilise des cookies pour améliorer votre expérience", "fr/cookies",
         "Ce site web utilise une nouvelle maquette depuis lundi"),
        ("Crédit photo : AFP", "fr/credit", "Crédit Agricole : le bénéfice net recule au troisième trimestre"),
        ("Avec AFP", "fr/source", "Avec l'AFP et Reuters, l'agence a signé un accord de partage"),
        ("Crédits photo : Shutterstock", "fr/credit", "Crédit : les banques durcissent leurs conditions"),
        ("Pour aller plus loin", "fr/related", "Pour aller plus loin, le gouvernement envisage une nouvelle taxe"),
    ],
    "hi": [
        ("इसे भी देखें: बारिश से बेहाल दिल्ली", "hi/also-read", "इसे भी देखें तो समस्या गंभीर है"),
        ("लेटेस्ट न्यूज़", "hi/related", "लेटेस्ट न्यूज़ के मुताबिक हादसे में पांच लोगों की मौत"),
        ("सबसे ज़्यादा पढ़ी गई", "hi/related", "सबसे ज़्यादा पढ़ी गई किताबों में प्रेमचंद का उपन्यास शामिल"),
        ("लिंक कॉपी करें", "hi/share", "लिंक कॉपी करके ठगों ने खाते से पैसे उड़ाए"),
        ("हमें ट्विटर पर फॉलो करें", "hi/follow", "हमें ट्विटर पर भरोसा नहीं: विपक्ष"),
        ("हमारे यूट्यूब चैनल को सब्सक्राइब करें", "hi/subscribe",
         "हमारे यूट्यूब चैनल को बंद करने का आदेश गलत: प्रकाशक"),
        ("अपनी प्रतिक्रिया दें", "hi/comments", "अपनी प्रतिक्रिया में मंत्री ने आरोपों को खारिज किया"),
        ("प्रायोजित", "hi/advertisement", "प्रायोजित आतंकवाद पर भारत का कड़ा रुख"),
        ("फोटो: पीटीआई", "hi/credit", "फोटो खिंचवाने के लिए उमड़ी भीड़"),
        ("सांकेतिक तस्वीर", "hi/credit", "सांकेतिक तस्वीर बनाकर कलाकार ने दिया संदेश"),
        ("इमेज स्रोत,Getty Images", "hi/credit", "इमेज सुधारने के लिए पार्टी ने बनाई रणनीति"),
        ("स्रोत: पीटीआई", "hi/source", "स्रोत बताते हैं कि बैठक टल गई"),
        ("इनपुट: भाषा", "hi/source", "इनपुट लागत बढ़ने से किसान परेशान"),
        ("हम कुकीज़ का उपयोग करते हैं ताकि आपको बेहतर अनुभव मिले", "hi/cookies", "कुकीज़ के उपयोग पर नए नियम लागू"),
    ],
    "id": [
        ("Artikel terkait: Banjir rendam Jakarta", "id/also-read", "Artikel terkait kasus itu dihapus oleh redaksi"),
        ("Paling banyak dibaca", "id/related", "Paling banyak dibaca adalah berita soal harga beras"),
        ("Pilihan editor", "id/related", "Pilihan editor jatuh pada foto karya fotografer muda"),
        ("Bagikan ke WhatsApp", "id/share", "Bagikan ke warga miskin, pemerintah salurkan beras"),
        ("Simak breaking news dan berita pilihan kami langsung di ponselmu.", "id/follow",
         "Simak penjelasan lengkap menteri soal subsidi BBM"),
        ("Berlangganan sekarang", "id/subscribe", "Berlangganan listrik prabayar kini lebih mudah"),
        ("Kirim komentar", "id/comments", "Kirim komentar kasar, warganet dilaporkan ke polisi"),
        ("Advertorial", "id/advertisement", "Advertorial terselubung jadi sorotan Dewan Pers"),
        ("Ilustrasi: Shutterstock", "id/credit", "Ilustrasi sampul buku itu dibuat oleh seniman Bali"),
        ("Sumber foto: Antara", "id/credit", "Sumber foto yang beredar masih ditelusuri polisi"),
        ("Sumber: Kompas.com", "id/source", "Sumber air warga tercemar limbah pabrik"),
        ("Kami menggunakan cookie untuk meningkatkan pengalaman Anda.", "id/cookies",
         "Penggunaan cookie oleh situs belanja disorot Kominfo"),
    ],
    "ja": [
        ("合わせて読みたい：円安が加速", "ja/also-read", "合わせて読みたい本を紹介する書店が人気"),
        ("アクセスランキング", "ja/related", "アクセスランキングの上位に地方紙の記事が入った"),
        ("はてなブックマーク", "ja/share", "はてなブックマークの利用者が増加"),
        ("LINEで送る", "ja/share", "LINEで送る詐欺メッセージに注意"),
        ("フォローする", "ja/follow", "フォローする側の責任が問われる"),
        ("メルマガ登録", "ja/subscribe", "メルマガ登録者数が10万人を突破"),
        ("コメントを書く", "ja/comments", "コメントを書く前に記事を読むよう呼びかけ"),
        ("記事広告", "ja/advertisement", "記事広告の表示をめぐり消費者庁が指導"),
        ("写真：共同", "ja/credit", "写真展が開幕、来場者でにぎわう"),
        ("提供：NASA", "ja/credit", "提供する食事の量を減らす飲食店が増加"),
        ("出典：総務省", "ja/source", "出典不明の情報が拡散"),
        ("当サイトではCookieを使用しています。", "ja/cookies", "Cookieの使用をめぐり規制強化"),
    ],
    "mr": [
        ("हे देखील वाचा: पुण्यात मुसळधार पाऊस", "mr/also-read", "हे देखील पाहायला मिळाले की गर्दी वाढली"),
        ("लोकप्रिय बातम्या", "mr/related", "लोकप्रिय बातम्या देणाऱ्या वाहिन्यांवर कारवाई"),
        ("सर्वाधिक वाचलेल्या बातम्या", "mr/related", "सर्वाधिक वाचलेल्या पुस्तकांची यादी जाहीर"),
        ("फेसबुकवर शेअर करा", "mr/share", "फेसबुकवर शेअर केलेल्या पोस्टमुळे वाद"),
        ("आम्हाला फॉलो करा", "mr/follow", "आम्हाला न्याय हवा, शेतकऱ्यांची मागणी"),
        ("सबस्क्राईब करा", "mr/subscribe", "सबस्क्राईब करणाऱ्यांची संख्या वाढली"),
        ("प्रतिक्रिया द्या", "mr/comments", "प्रतिक्रिया देताना मुख्यमंत्री म्हणाले"),
        ("छायाचित्र: लोकसत्ता", "mr/credit", "छायाचित्र प्रदर्शनाला उत्स्फूर्त प्रतिसाद"),
        ("प्रातिनिधिक छायाचित्र", "mr/credit", "प्रातिनिधिक स्वरूपात पाच जणांचा सत्कार"),
        ("सौजन्य: लोकमत", "mr/source", "सौजन्य सप्ताहानिमित्त पोलिसांचा उपक्रम"),
    ],
    "ne": [
        ("सम्बन्धित खबर: बजेट सार्वजनिक", "ne/also-read", "सम्बन्धित खबर सार्वजनिक गर्न अदालतको आदेश"),
        ("यो पनि हेर्नुहोस्: भिडियो", "ne/also-read", "यो पनि हेर्नुपर्ने विषय हो, मन्त्रीले भने"),
        ("धेरै पढिएको", "ne/related", "धेरै पढिएको पुस्तकको सूची सार्वजनिक"),
        ("ताजा अपडेट", "ne/related", "ताजा अपडेट अनुसार मृतकको संख्या १५ पुगेको छ"),
        ("सेयर गर्नुहोस्", "ne/share", "सेयर बजारमा उछाल"),
        ("हामीलाई फलो गर्नुहोस्", "ne/follow", "हामीलाई न्याय चाहियो, पीडितको माग"),
        ("सब्सक्राइब गर्नुहोस्", "ne/subscribe", "सब्सक्राइब गर्ने दर्शक बढे"),
        ("प्रतिक्रिया दिनुहोस्", "ne/comments", "प्रतिक्रिया दिँदै प्रधानमन्त्रीले भने"),
        ("तस्बिर: रासस", "ne/credit", "तस्बिर खिच्ने क्रममा पर्यटक घाइते"),
        ("फाइल तस्बिर", "ne/credit", "फाइल तस्बिरको दुरुपयोग गरेको आरोप"),
    ],
    "pt": [
        ("Continue lendo: Governo anuncia novo pacote", "pt/also-read",
         "Continue lendo para a criança todas as noites, recomenda pediatra"),
        ("Mais lidos", "pt/related", "Mais lidos do ano incluem romance de estreia"),
        ("Compartilhe esta notícia", "pt/share", "Compartilhe esta notícia falsa e pode ser processado, alerta TSE"),
        ("Curtir", "pt/share", "Curtir o carnaval com segurança exige cuidados"),
        ("Siga nossas redes sociais", "pt/follow", "Siga as orientações da Defesa Civil durante as chuvas"),
        ("Assine nossa newsletter", "pt/subscribe", "Assine o abaixo-assinado, pede associação de moradores"),
        ("Seja o primeiro a comentar", "pt/comments", "Seja o primeiro a chegar, diz técnico"),
        ("Continua depois da publicidade", "pt/advertisement", "Continua depois da reunião a votação do projeto"),
        ("É proibida a reprodução deste conteúdo sem autorização.", "pt/copyright",
         "É proibida a reprodução de animais silvestres em cativeiro"),
        ("Imagem: Reprodução/Instagram", "pt/credit", "Imagem de satélite mostra avanço do desmatamento"),
        ("Reprodução", "pt/credit", "Reprodução assistida ganha novas regras do CFM"),
        ("Fonte: IBGE", "pt/source", "Fonte do Planalto diz que ministro fica no cargo"),
        ("Aceitar todos os cookies", "pt/cookies", "Os cookies de chocolate são o destaque da feira"),
        ("Com informações da Agência Brasil", "pt/source",
         "Com informações da polícia, o delegado afirmou que o suspeito fugiu para o Paraguai"),
    ],
    "ru": [
        ("Еще по теме: Курс доллара вырос", "ru/also-read", "Еще по теме выступили три депутата"),
        ("Выбор редакции", "ru/related", "Выбор редакции пал на репортаж из Казани"),
        ("Поделиться ВКонтакте", "ru/share", "Поделиться опытом приехали эксперты из Казани"),
        ("Читайте нас в Telegram", "ru/follow", "Читайте нас внимательно, просил автор"),
        ("Мы в соцсетях", "ru/follow", "Мы в соцсетях видим рост агрессии, заявил эксперт"),
        ("Подписка", "ru/subscribe", "Подписка на газеты упала вдвое"),
        ("Показать комментарии", "ru/comments", "Показать комментарии чиновников к законопроекту отказались"),
        ("На правах рекламы", "ru/advertisement", "На правах аренды компания получила участок"),
        ("При использовании материалов ссылка на сайт обязательна", "ru/copyright",
         "Ссылка на сайт ведомства появилась в понедельник"),
        ("Мы используем файлы cookie, чтобы сайт работал лучше", "ru/cookies",
         "Файлы cookie используют почти все сайты, говорят эксперты"),
        ("Фото: РИА Новости", "ru/credit", "Фото с места событий публикуют очевидцы"),
        ("Источник: ТАСС", "ru/source", "Источник в правительстве сообщил о переносе заседания"),
        ("Полное или частичное копирование материалов запрещено.", "ru/copyright",
         "Копирование материалов запрещено законом об авторском праве"),
    ],
    "ta": [
        ("இதையும் பாருங்கள்: வீடியோ", "ta/also-read", "இதையும் பாருங்கள் என்று அமைச்சர் கூறினார்"),
        ("அதிகம் படிக்கப்பட்டவை", "ta/related", "அதிகம் படிக்கப்பட்டவை பட்டியலில் இந்த நூல் முதலிடம்"),
        ("பகிருங்கள்", "ta/share", "பகிருங்கள் என்று கேட்டுக்கொண்டார் முதல்வர்"),
        ("எங்களை பின்தொடருங்கள்", "ta/follow", "எங்களை ஏமாற்றிவிட்டார்கள் என விவசாயிகள் குற்றச்சாட்டு"),
        ("சப்ஸ்கிரைப் செய்யுங்கள்", "ta/subscribe", "சப்ஸ்கிரைப் செய்தவர்களின் எண்ணிக்கை உயர்வு"),
        ("உங்கள் கருத்து", "ta/comments", "உங்கள் கருத்து என்ன என்று நீதிபதி கேட்டார்"),
        ("விளம்பரங்கள்", "ta/advertisement", "விளம்பரங்கள் மூலம் வருவாய் அதிகரிப்பு"),
        ("காப்புரிமை © 2024 தினமலர்", "ta/copyright", "காப்புரிமை சட்டத்தில் புதிய திருத்தம்"),
        ("பட மூலாதாரம்,Getty Images", "ta/credit", "பட வெளியீட்டு விழா சென்னையில் நடந்தது"),
        ("புகைப்படம்: ராய்ட்டர்ஸ்", "ta/credit", "புகைப்படம் எடுக்கும் போது விபத்து"),
    ],
    "tr": [
        ("İlginizi çekebilir: Dolar rekor kırdı", "tr/also-read", "İlginizi çekebilecek gelişmeler yaşanıyor"),
        ("Çok okunanlar", "tr/related", "Çok okunanlar arasında Orhan Pamuk'un romanı da var"),
        ("Facebook'ta paylaş", "tr/share", "Facebook'ta paylaşılan video tepki çekti"),
        ("Bizi sosyal medyada takip edin", "tr/follow", "Bizi sosyal medyada hedef aldılar, dedi vekil"),
        ("Abone ol", "tr/subscribe", "Abone olunan kanal sayısı arttı"),
        ("Yorumları göster", "tr/comments", "Yorumları gösterdi ki seçmen kararsız"),
        ("Sponsorlu", "tr/advertisement", "Sponsorlu paylaşımlara yeni düzenleme geliyor"),
        ("© 2024 Hürriyet. Her hakkı saklıdır.", "tr/copyright", "Her hakkı olan vatandaş başvurabilir"),
        ("Sitemizde çerezler kullanılmaktadır.", "tr/cookies", "Çerezler hakkında yeni yasa Meclis'te"),
        ("Fotoğraf: AA", "tr/credit", "Fotoğraf sanatçısı Ara Güler anıldı"),
        ("Kaynak: Anadolu Ajansı", "tr/source", "Kaynak sıkıntısı yaşayan belediyeler borçlanıyor"),
    ],
    "ur": [
        ("یہ ویب سائٹ کوکیز استعمال کرتی ہے تاکہ آپ کا تجربہ بہتر ہو", "ur/cookies", "کوکیز کے استعمال پر نئے قوانین کا اعلان کر دیا گیا"),
        ("یہ بھی دیکھیے: ویڈیو", "ur/also-read", "یہ بھی دیکھیے کہ حکومت نے کیا کہا"),
        ("اہم خبریں", "ur/related", "اہم خبریں سننے کے لیے عوام ریڈیو سے جڑے رہے"),
        ("واٹس ایپ پر شیئر کریں", "ur/share", "واٹس ایپ پر شیئر کی گئی ویڈیو وائرل"),
        ("ہمیں ٹوئٹر پر فالو کریں", "ur/follow", "ہمیں ٹوئٹر پر دھمکیاں دی گئیں، صحافی"),
        ("سبسکرائب کریں", "ur/subscribe", "سبسکرائب کرنے والوں کی تعداد دس لاکھ ہوگئی"),
        ("تبصرہ لکھیں", "ur/comments", "تبصرہ نگاروں نے فیصلے پر تنقید کی"),
        ("سپانسرڈ", "ur/advertisement", "سپانسرڈ مواد پر نئی پالیسی"),
        ("کاپی رائٹ © 2024 ڈان نیوز", "ur/copyright", "کاپی رائٹ قوانین میں ترمیم کا بل منظور"),
        ("فوٹو: اے ایف پی", "ur/credit", "فوٹو سیشن کے دوران اداکارہ کا انٹرویو"),
        ("تصویر کا ذریعہ،Getty Images", "ur/credit", "تصویر کا ذریعہ بننے والے فوٹوگرافر کو انعام دیا گیا"),
        ("بشکریہ: روزنامہ جنگ", "ur/source",
         "بشکریہ ڈان: حکومت کا نیا ٹیکس منصوبہ، ماہرین کی رائے اور عوامی ردعمل"),
    ],
    "zh": [
        ("相关链接：国务院常务会议", "zh/also-read", "相关链接被删除后网友质疑"),
        ("热门新闻", "zh/related", "热门新闻背后的真相"),
        ("分享到朋友圈", "zh/share", "分享到朋友圈的视频引发热议"),
        ("点赞", "zh/share", "点赞数超过十万的帖子被删除"),
        ("长按识别二维码关注我们", "zh/follow", "长按屏幕即可截图的功能受到欢迎"),
        ("立即订阅", "zh/subscribe", "订阅用户数突破一亿"),
        ("我要评论", "zh/comments", "我要评论一下这部电影的结局"),
        ("推广链接", "zh/advertisement", "推广链接泛滥引发监管关注"),
        ("转载请注明出处", "zh/copyright", "转载文章需注明出处已成行业共识"),
        ("免责声明：本文仅代表作者观点", "zh/copyright", "免责声明引发用户不满"),
        ("图片来源：视觉中国", "zh/credit", "图片来源不明的照片在网上流传"),
        ("编辑：张三", "zh/credit", "编辑部发布致歉声明"),
        ("来源：新华社", "zh/source", "来源不明的资金流入楼市"),
        ("本网站使用Cookie以提升您的浏览体验", "zh/cookies", "网站使用Cookie追踪用户引发争议"),
    ],
}

BOILERPLATE = [pytest.param(line, rule, id=f"{lang}-{i}")
               for lang, cases in CASES.items() for i, (line, rule, _) in enumerate(cases)]
TRAPS = [pytest.param(trap, id=f"{lang}-{i}")
         for lang, cases in CASES.items() for i, (_, _, trap) in enumerate(cases)]


@pytest.mark.parametrize("line, rule", BOILERPLATE)
def test_a_second_phrasing_of_a_widget_is_boilerplate(line, rule):
    assert rule_of(line) == rule


@pytest.mark.parametrize("trap", TRAPS)
def test_content_that_starts_like_it_is_left_alone(trap):
    assert rule_of(trap) is None


def test_every_shipped_language_has_its_cases():
    shipped = sorted(entry.name[:-len(".toml")] for entry in (resources.files("dedup") / "lexicon").iterdir()
                     if entry.name.endswith(".toml"))
    assert sorted(CASES) == shipped
    assert all(len(cases) >= 10 for cases in CASES.values())
    for lang, cases in CASES.items():
        assert all(rule.startswith(f"{lang}/") for _, rule, _ in cases), lang


# Ordinary prose in each language, to follow a phrase that is boilerplate only as a whole
# line or before a separator.
PROSE = {
    "ar": "في المدينة أمس الأول", "bn": "নিয়ে আলোচনা হয় গতকাল", "de": "wurde gestern im Rathaus beschlossen",
    "en": "was approved by the council yesterday", "es": "fue aprobado ayer por el ayuntamiento",
    "fa": "دیروز در مجلس تصویب شد", "fr": "a été adopté hier par le conseil", "hi": "पर कल फैसला हुआ",
    "id": "disetujui dewan kemarin sore", "ja": "は昨日議会で承認された", "mr": "बद्दल काल निर्णय झाला",
    "ne": "बारे हिजो निर्णय भयो", "pt": "foi aprovado ontem pela câmara", "ru": "вчера одобрили депутаты",
    "ta": "நேற்று சட்டமன்றத்தில் நிறைவேற்றப்பட்டது", "tr": "dün mecliste kabul edildi",
    "ur": "کل اسمبلی میں منظور ہوا", "zh": "昨天在会议上获得通过",
}


def _line_and_label_phrases():
    for entry in sorted((resources.files("dedup") / "lexicon").iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        doc = tomllib.loads(entry.read_text("utf-8"))
        for rule in doc["rule"]:
            if rule["match"] == "line" or (rule["match"] == "prefix" and rule.get("separator", True)):
                for phrase in rule["phrases"]:
                    yield pytest.param(doc["language"], phrase, id=f"{doc['language']}-{rule['id']}-{phrase}")


@pytest.mark.parametrize("language, phrase", list(_line_and_label_phrases()))
def test_a_line_or_label_phrase_followed_by_prose_is_left_alone(language, phrase):
    """Every `line` phrase and every `prefix` phrase that needs a separator, followed by a
    clause of its language with no separator between: a sentence, not a widget. (A phrase
    written with its separator, "ये भी पढ़ें-", is followed by prose without it.)"""
    assert rule_of(f"{phrase.rstrip('-:|»–— ')} {PROSE[language]}") is None
