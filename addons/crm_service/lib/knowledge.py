"""The knowledge base's text: questions normalised for the log, the terms a question is
searched by, and how many of them an article must match.

PostgreSQL's text search splits words on spaces and has no Chinese dictionary, so
articles are found by substring (``ILIKE``, served by the fields' trigram indexes) on
terms cut here: words for scripts written with spaces, overlapping pairs of characters
(bigrams) for Chinese and Japanese, which are written without them. "打印机无法连接" is
searched as 打印, 印机, 机无, 无法, 法连, 连接, and finds "打印机连接失败怎么办" by
打印, 印机 and 连接 — the way search engines index CJK text without a dictionary.

Terms hold letters and digits only, so they never carry ``LIKE`` wildcards.
"""

import html
import math
import re
import unicodedata

# longest question kept in the log (characters, after normalisation)
QUERY_MAX_LENGTH = 200
# a case's description can be long: its first terms are enough to rank articles
MAX_TERMS = 24

# what each field is worth when a term is found in it; the whole question found in the
# title, and the trigram similarity of the question with the title and the keywords, add
# to it (see ``crm.service.article._crm_service_search``)
TITLE_WEIGHT = 3
KEYWORDS_WEIGHT = 2
ANSWER_WEIGHT = 1
PHRASE_WEIGHT = 4
SIMILARITY_WEIGHT = 2

# scripts written without spaces: Han (with extension A and compatibility ideographs),
# hiragana and katakana
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD_RE = re.compile(r"[^\W_]+")
_RUN_RE = re.compile(f"[{_CJK}]+|[^{_CJK}]+")
_CJK_RE = re.compile(f"[{_CJK}]")
_APOSTROPHES_RE = re.compile(r"['\u2019]")

# words too common to tell articles apart; dropped unless nothing else is left
STOPWORDS = frozenset(
    """
    a an and are as at be by can did do does for from has have how i in is it its me my
    no not of on or so that the there this to was we were what when where which who why
    with you your
    怎么 么办 什么 如何 为什 请问 一下 可以 我的
    """.split()
)

_BLOCK_TAGS_RE = re.compile(
    r"<\s*/?\s*(?:p|div|br|li|ul|ol|tr|td|th|table|h[1-6]|blockquote|pre|hr|section|article)\b[^>]*>",
    re.IGNORECASE,
)
_SKIPPED_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")
_SPACES_RE = re.compile(r"\s+")


def html_to_text(markup):
    """The words of an HTML text, for searching: block elements (paragraphs, list items,
    cells, line breaks) part words, inline ones (bold, links) do not."""
    if not markup:
        return ""
    text = _SKIPPED_RE.sub(" ", str(markup))
    text = _BLOCK_TAGS_RE.sub(" ", text)
    text = _TAG_RE.sub("", text)
    return _SPACES_RE.sub(" ", html.unescape(text)).strip()


def normalise(text):
    """A question as the log keeps it: full-width forms folded (NFKC), lower case,
    punctuation dropped, one space between words; at most ``QUERY_MAX_LENGTH`` characters.

    >>> normalise("  How do I reset my PASSWORD?? ")
    'how do i reset my password'
    >>> normalise("打印机无法连接\uff1f")  # a full-width question mark
    '打印机无法连接'
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    text = _APOSTROPHES_RE.sub("", text)
    return " ".join(_WORD_RE.findall(text))[:QUERY_MAX_LENGTH].strip()


def search_terms(text):
    """The terms ``text`` is searched by, in their order, without repeats: words of two
    characters or more for spaced scripts, bigrams for CJK runs (a lone CJK character is
    its own term); stop words dropped unless they are all there is; at most ``MAX_TERMS``.

    >>> search_terms("HP打印机 cannot connect!")
    ['hp', '打印', '印机', 'cannot', 'connect']
    """
    terms = []
    for word in normalise(text).split():
        for run in _RUN_RE.findall(word):
            if _CJK_RE.match(run):
                terms.extend(run[i : i + 2] for i in range(max(len(run) - 1, 1)))
            elif len(run) >= 2:
                terms.append(run)
    terms = list(dict.fromkeys(terms))
    meaningful = [term for term in terms if term not in STOPWORDS]
    return (meaningful or terms)[:MAX_TERMS]


def min_matches(term_count):
    """How many of a question's terms an article must contain to be found (unless its
    title is close enough to the question as a whole): one for up to three terms, two up
    to six, then three — so that one shared common word does not make an answer."""
    return min(3, max(1, math.ceil(term_count / 3)))
