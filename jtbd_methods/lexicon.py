"""Word lists and word forms used by the deductive coder: negation, sentiment, non-answers.

The coder (:func:`jtbd_methods.coding.code_comments`) reads the polarity of a job mention
from the words around it. This module holds everything it reads them with:

* **Negation** cues and pseudo-negations, after NegEx [1]_, and the negation list of VADER [2]_.
* **Sentiment**: the VADER lexicon [2]_ (about 7,500 words and emoticons rated from -4 to +4
  by ten people each), read from the ``vaderSentiment`` package, with VADER's booster words
  and its constants for negation, emphasis and contrast; plus a short list of patient-feedback
  words VADER does not rate ("waited", "rushed", "chased") and of words VADER rates that are
  topics, not feelings, in health care ("care", "patient", "cancer").
* **Praise idioms** whose negation words do not negate ("couldn't fault", "nothing was too
  much trouble") and **requests** that say a job is not yet done ("could be better", "more
  staff", "would be nice").
* **Word forms**: :func:`phrase_variants` inflects an indicator phrase ("listen" →
  "listened", "listening", "listens") with LemmInflect [3]_, so that a codebook lists base forms
  and still matches what people write, while matching stays one literal pass.
* **Non-answers**: :func:`non_answers` flags "nothing", "n/a", "no comment", "can't think of
  anything", "all of it" and their kin, which are not evidence of any job.

References
----------
.. [1] Chapman, W. W., Bridewell, W., Hanbury, P., Cooper, G. F., & Buchanan, B. G. (2001). A
   simple algorithm for identifying negated findings and diseases in discharge summaries.
   *Journal of Biomedical Informatics*, 34(5), 301-310.
.. [2] Hutto, C. J., & Gilbert, E. (2014). VADER: A parsimonious rule-based model for sentiment
   analysis of social media text. In *Proceedings of the Eighth International AAAI Conference
   on Weblogs and Social Media (ICWSM-14)* (pp. 216-225).
.. [3] Jascob, B. (2019). LemmInflect: a Python module for English lemmatization and
   inflection. https://github.com/bjascob/LemmInflect
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Iterable
from importlib import resources

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "BOOSTER_WORDS",
    "CAPS_EMPHASIS",
    "CLAUSE_WORDS",
    "CONTRAST_WORDS",
    "DOMAIN_NEUTRAL",
    "NEGATION_CUES",
    "NEGATION_SCALAR",
    "NEGATIVE_CUES",
    "NON_ANSWER_PATTERN",
    "POSITIVE_CUES",
    "PRAISE_IDIOMS",
    "PSEUDO_NEGATIONS",
    "REQUEST_CUES",
    "REQUEST_OPENINGS",
    "WEAK_REQUEST_CUES",
    "non_answers",
    "phrase_variants",
    "sentiment_lexicon",
]

# ------------------------------------------------------------------------------ negation
#: Words that negate what follows them in the same clause (NegEx cues and VADER's list).
NEGATION_CUES: tuple[str, ...] = (
    "not", "no", "never", "nobody", "no one", "noone", "none", "nothing", "neither", "nor",
    "without", "cannot", "can't", "cant", "couldn't", "couldnt", "didn't", "didnt", "don't",
    "dont", "doesn't", "doesnt", "wasn't", "wasnt", "weren't", "werent", "isn't", "isnt",
    "aren't", "arent", "haven't", "havent", "hasn't", "hasnt", "hadn't", "hadnt", "won't",
    "wont", "wouldn't", "wouldnt", "shouldn't", "shouldnt", "mustn't", "mustnt", "needn't",
    "ain't", "aint", "hardly", "barely", "seldom", "rarely", "lack of", "lacked", "failed to",
    "unable to", "refused to", "neglected to",
)  # fmt: skip
#: Phrases that contain a negation cue but negate nothing ("not only", "no doubt").
PSEUDO_NEGATIONS: tuple[str, ...] = (
    "not only", "not just", "no doubt", "without a doubt", "no matter", "nothing but",
    "not sure", "no longer", "not long",
)  # fmt: skip
#: Praise that is written with a negation: a positive phrase of its own (valence +2.5).
PRAISE_IDIOMS: tuple[str, ...] = (
    "can't fault", "cannot fault", "couldn't fault", "could not fault", "can not fault",
    "cant fault", "couldnt fault", "can't thank", "cannot thank", "couldn't thank",
    "cant thank", "can't praise", "cannot praise", "couldn't praise", "can't speak highly",
    "cannot speak highly", "couldn't speak highly", "couldn't ask for", "could not ask for",
    "couldn't have been better", "could not have been better", "couldn't have asked for",
    "could not have asked for", "nothing was too much", "nothing is too much",
    "nothing too much", "never too much trouble", "no complaints", "nothing to complain",
    "no problem", "no problems", "not a problem", "not too bad", "nothing bad",
    "can't do enough", "couldn't do enough", "could not do enough", "cannot do enough",
    "can't say enough", "cannot say enough", "couldn't be happier", "could not be happier",
    "no issues", "never a problem", "never had a problem", "never had any problem",
    "wouldn't change a thing", "would not change a thing", "wouldn't change anything",
    "would not change anything", "nothing could be better", "nothing could have been better",
    "nothing to improve", "nothing needs improving", "nothing could be improved",
    "cannot be improved", "can't be improved", "could not be improved", "couldn't be improved",
    # "could not have done (any) better", "couldn't wish for a better", ...: praise however
    # the modal and the verb are written
    *(
        f"{modal} {verb} better"
        for modal in ("couldn't", "could not", "couldnt", "can't", "cannot", "cant")
        for verb in (
            "do", "do any", "have done", "have done any", "have had", "have had any",
            "have been any", "be any", "wish for", "wish for a", "have wished for",
            "have wished for a", "ask for", "ask for a", "have asked for", "have asked for a",
            "get", "have got", "get any", "have got any",
        )
    ),
)  # fmt: skip
#: A request or suggestion says the job is not done yet (valence -2.0): "could be better".
REQUEST_CUES: tuple[str, ...] = (
    "could be better", "could have been better", "could do better", "should be better",
    "would be better", "would be nice", "would be good", "would be helpful", "would help",
    "would have been nice", "would have been good", "would have been helpful", "would like",
    "would have liked", "should have", "need more", "needs more", "need better",
    "needs better", "room for improvement", "needs improving", "need improving",
    "needs improvement", "needs to improve", "need to improve", "not enough", "too long",
    "too many", "too much", "too few", "too little", "too slow", "more staff",
    "more time", "more information", "more support", "more activities", "more often",
)  # fmt: skip
#: Single words that lean towards a request (valence -1.0): "more", "should", "wish".
WEAK_REQUEST_CUES: tuple[str, ...] = (
    "more", "should", "wish", "need", "needs", "needed", "lacking", "lacks", "hopefully",
)  # fmt: skip
#: Requests by their form: these openings of a sentence ask for something not yet done
#: ("To be listened to", "More staff at night", "Make the letters clearer"; valence -2.0,
#: counted only as the first words of a sentence).
REQUEST_OPENINGS: tuple[str, ...] = (
    "to be", "to have", "to get", "to see", "to make", "to give", "to provide", "to allow",
    "to offer", "to know", "to listen", "to explain", "to keep", "to improve", "to speak",
    "for staff to", "for the staff to", "for the doctor to", "for doctors to", "for nurses to",
    "for someone to", "for them to", "for people to", "more", "better", "less", "fewer",
    "faster", "quicker", "shorter", "longer", "make", "try to", "ensure", "please", "improve",
    "increase", "reduce", "stop", "provide", "give", "allow", "offer", "have more", "need",
    "needs", "would like", "should", "could", "maybe", "perhaps", "if only", "i wish",
    "i would like", "i would have liked", "we would like",
    # imperatives: a sentence that opens with a verb's bare form asks for it ("Answer the
    # phone", "Be more helpful"); verbs whose bare form also opens a statement as a noun
    # ("Call handler was lovely", "Contact was easy") or a praise ("Keep up the good work",
    # "Don't change a thing") are left out
    "answer", "be", "communicate", "listen", "explain", "inform", "respond", "tell",
    "employ", "hire", "recruit", "speed up", "cut", "send", "treat", "consider", "introduce",
    "invest", "look into", "sort out", "get more", "take more", "let", "learn",
    "not to",
)  # fmt: skip
REQUEST_OPENING_VALENCE = -2.0

#: Positive words of patient feedback VADER does not rate, or rates weakly (valence +1.5).
POSITIVE_CUES: tuple[str, ...] = (
    "thorough", "clearly", "informative", "prompt", "promptly", "quick", "quickly",
    "efficient", "efficiently", "attentive", "accommodating", "welcoming", "approachable",
    "organised", "organized", "well organised", "well organized", "well managed",
    "well explained", "well informed", "on time", "lifeline", "reassuring", "reassured",
    "listened", "understood", "respected", "dignified", "patient with", "went above",
    "above and beyond", "over and above", "second to none", "first class", "spot on",
    "very good", "really good", "so good", "quite good", "professionalism", "polite",
    "courteous", "compassion", "compassionate", "empathy", "empathetic", "non judgemental",
    "non-judgemental", "nonjudgemental", "clean", "tidy", "spotless", "homely", "cosy",
    "calming", "felt safe", "feel safe", "felt better", "feel better", "feeling better",
    "getting better", "got better", "recovering", "improved", "progress", "thanks", "thank",
    "better than expected", "better than i expected", "better than i thought",
    "quicker than expected", "sooner than expected", "faster than expected",
)  # fmt: skip
#: Negative words of patient feedback VADER does not rate (valence -1.5); ``*`` wildcards.
NEGATIVE_CUES: tuple[str, ...] = (
    "rush*", "wait*", "delay*", "cancel*", "chase*", "chasing", "ignor*", "dismissive",
    "disorganis*", "disorganiz*", "unprofessional", "uncaring", "unhelpful", "unclear",
    "confus*", "forgot*", "late", "overdue", "short staffed", "short-staffed", "understaffed",
    "under staffed", "overstretched", "overworked", "busy", "queue*", "dirty", "filthy",
    "smelly", "noisy", "cramped", "cold", "lost", "missed", "left alone", "left waiting",
    "fobbed off", "brushed off", "passed around", "messed around", "mucked about",
    "no one", "nobody", "unanswered", "rude", "patronising", "patronizing", "condescending",
    "abrupt", "curt", "agony", "sore", "struggl*", "neglect*", "inconsistent", "slow",
    "worse", "worst", "useless", "pointless", "unsafe", "uncomfortable", "alone", "abandon*",
)  # fmt: skip
#: Words VADER rates that are topics, not feelings, in health care: no sentiment of their own.
DOMAIN_NEUTRAL: tuple[str, ...] = (
    "care", "cares", "cared", "patient", "patients", "patience", "cancer", "disease",
    "illness", "ill", "sick", "sickness", "injury", "injured", "emergency", "emergencies",
    "accident", "death", "died", "dying", "dead", "crisis", "drug", "drugs", "surgery",
    "tumour", "tumor", "pain", "pains", "mental", "depression", "depressed", "anxiety",
    "anxious", "worry", "worried", "fear", "scared", "afraid", "stress", "stressed",
    "no", "yes", "please", "like", "liked", "likes", "want", "wanted",
    # in feedback these name what is asked for more often than what was good ("explain
    # better", "improve the waiting times"); "feel better", "much better", "has improved"
    # keep their rating through longer phrases and cues
    "better", "improve", "improvement", "improvements",
)  # fmt: skip
#: Words that end a clause, besides punctuation and line breaks.
CLAUSE_WORDS: tuple[str, ...] = ("but", "however", "although", "though", "whereas", "except")
#: Contrast words: what follows outweighs what precedes in the sentence (VADER's "but" rule).
CONTRAST_WORDS: tuple[str, ...] = ("but", "however")

#: VADER's scalar for a negated sentiment word (Hutto & Gilbert 2014).
NEGATION_SCALAR = -0.74
#: VADER's increment for a word in capitals in a comment that is not all capitals.
CAPS_EMPHASIS = 0.733
#: Weight of what precedes and follows a contrast word in its sentence (VADER: 0.5 and 1.5).
CONTRAST_BEFORE, CONTRAST_AFTER = 0.5, 1.5
PRAISE_VALENCE = 2.5
REQUEST_VALENCE = -2.0
WEAK_REQUEST_VALENCE = -1.0
CUE_VALENCE = 1.5


def _vader_module():
    from vaderSentiment import vaderSentiment

    return vaderSentiment


@functools.cache
def _booster_words() -> dict[str, float]:
    return {str(k).lower(): float(v) for k, v in _vader_module().BOOSTER_DICT.items()}


#: VADER's intensifiers ("very", "extremely") and dampeners ("slightly"), with increments.
BOOSTER_WORDS: dict[str, float] = _booster_words()

_WORDLIKE = re.compile(r"^[a-z][a-z'\-]*[a-z]$")


@functools.cache
def sentiment_lexicon() -> dict[str, float]:
    """Sentiment valence of words: VADER's lexicon adapted to patient feedback.

    Returns
    -------
    dict
        Lower-case word or phrase (``*`` wildcards in the patient-feedback additions) to its
        valence, -4 (most negative) to +4 (most positive).

    Notes
    -----
    From VADER's ``vader_lexicon.txt`` [1]_: every entry that is a word (emoticons are left
    out: patient comments rarely hold them and their punctuation collides with clause
    boundaries), without :data:`DOMAIN_NEUTRAL` topic words, negation cues and booster words
    (which have rules of their own) and two-letter interjections other than "ok". Added: :data:`POSITIVE_CUES` (+1.5) and
    :data:`NEGATIVE_CUES` (-1.5) where VADER has no rating, :data:`PRAISE_IDIOMS` (+2.5) and
    :data:`REQUEST_CUES` (-2.0) and :data:`WEAK_REQUEST_CUES` (-1.0), which override any
    rating of their words. A longer phrase hides the words inside it when the coder sums a
    clause ("could be better" counts once, as a request, not also as "better").

    References
    ----------
    .. [1] Hutto, C. J., & Gilbert, E. (2014). VADER: A parsimonious rule-based model for
       sentiment analysis of social media text. *ICWSM-14*, 216-225.

    Examples
    --------
    >>> lexicon = sentiment_lexicon()
    >>> lexicon["excellent"] > 0 > lexicon["rude"]
    True
    >>> "care" in lexicon
    False
    """
    text = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text("utf-8")
    skip = set(DOMAIN_NEUTRAL) | set(NEGATION_CUES) | set(_booster_words())
    out: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        word = parts[0].strip().lower()
        # two-letter entries ("ha", "po", "xp") are interjections and abbreviations of social
        # media; inside words they only slow the matcher down
        if _WORDLIKE.match(word) and word not in skip and (len(word) > 2 or word == "ok"):
            out[word] = float(parts[1])
    for words, valence in ((POSITIVE_CUES, CUE_VALENCE), (NEGATIVE_CUES, -CUE_VALENCE)):
        for word in words:
            out.setdefault(word, valence)
    out.update(dict.fromkeys(WEAK_REQUEST_CUES, WEAK_REQUEST_VALENCE))
    out.update(dict.fromkeys(PRAISE_IDIOMS, PRAISE_VALENCE))
    out.update(dict.fromkeys(REQUEST_CUES, REQUEST_VALENCE))
    return out


# ---------------------------------------------------------------------------- word forms
_FUNCTION_WORDS = frozenset(
    "a an the to of in on at by for with from and or but if so as than that this these those "
    "i me my mine we us our you your he him his she her they them their it its who whom what "
    "when where why how which was were is are be been being am do does did done has have had "
    "not no nor never very too more most less least all any some each every just only also "
    "there here then now next again up down out off over under about into onto".split()
)


#: Word forms of the shipped codebooks' words, computed once with LemmInflect by
#: ``tools/build_word_forms.py`` (loading LemmInflect's tables takes seconds; a look-up, none).
WORD_FORMS_FILE = "word_forms.json"


@functools.cache
def _shipped_word_forms() -> dict[str, tuple[str, ...]]:
    text = (resources.files("jtbd_methods") / "_data" / WORD_FORMS_FILE).read_text("utf-8")
    return {word: tuple(forms) for word, forms in json.loads(text)["forms"].items()}


@functools.cache
def _word_forms(word: str) -> tuple[str, ...]:
    """Every inflection of ``word`` (itself included), through its lemmas."""
    if len(word) < 3 or word in _FUNCTION_WORDS or not word.isalpha():
        return (word,)
    shipped = _shipped_word_forms().get(word)
    return shipped if shipped is not None else lemminflect_forms(word)


def lemminflect_forms(word: str) -> tuple[str, ...]:
    """The inflections of ``word`` as LemmInflect gives them (lower case, letters only).

    Every lemma of the word is inflected in every part of speech; a word LemmInflect does
    not know gets the regular verb and noun endings. :func:`phrase_variants` reads the
    forms of the default codebooks' words from a table built with this function
    (``tools/build_word_forms.py``) and calls it only for other words.

    References
    ----------
    .. [1] Jascob, B. (2019). LemmInflect: a Python module for English lemmatization and
       inflection. https://github.com/bjascob/LemmInflect

    Examples
    --------
    >>> lemminflect_forms("reassure")
    ('reassure', 'reassured', 'reassures', 'reassuring')
    """
    import lemminflect

    forms = {word}
    lemmas = {lemma for group in lemminflect.getAllLemmas(word).values() for lemma in group}
    lemmas.add(word)
    for lemma in lemmas:
        for group in lemminflect.getAllInflections(lemma).values():
            forms.update(group)
    if len(forms) == 1:  # a word LemmInflect does not know: regular rules
        for upos in ("VERB", "NOUN"):
            for group in lemminflect.getAllInflectionsOOV(word, upos).values():
                forms.update(group)
    return tuple(sorted(f.lower() for f in forms if f.isalpha()))


def phrase_variants(phrase: str, *, limit: int = 48) -> list[str]:
    """The inflected forms of an indicator phrase, the phrase itself first.

    Parameters
    ----------
    phrase : str
        A normalised (lower-case) phrase. Words holding ``*`` and function words ("to",
        "me", "what") are kept as written; every other word takes each of its forms.
    limit : int, default 48
        Most variants returned (combinations are cut in a fixed order beyond it).

    Returns
    -------
    list of str
        Distinct variants, the phrase as written first.

    Notes
    -----
    Forms come from LemmInflect [1]_: the lemmas of each word (so "informed" and "inform"
    give the same forms) and every inflection of each lemma; a word it does not know gets
    the regular English endings. Matching the forms is one more literal key each in the
    coder's automaton, so evidence spans stay exact and speed is unchanged.

    References
    ----------
    .. [1] Jascob, B. (2019). LemmInflect: a Python module for English lemmatization and
       inflection. https://github.com/bjascob/LemmInflect

    Examples
    --------
    >>> sorted(phrase_variants("listen to me"))
    ['listen to me', 'listened to me', 'listening to me', 'listens to me']
    >>> phrase_variants("explain*")
    ['explain*']
    """
    words = phrase.split(" ")
    options = [(w,) if "*" in w else _word_forms(w) for w in words]
    out = [phrase]
    seen = {phrase}
    for combo in itertools.product(*options):
        variant = " ".join(combo)
        if variant not in seen:
            seen.add(variant)
            out.append(variant)
            if len(out) >= limit:
                break
    return out


# --------------------------------------------------------------------------- non-answers
_NON_ANSWER_CORE = (
    r"nothing(?: (?:else|really|at all|much|more|comes to mind|to (?:add|say|report|"
    r"improve|change|comment(?: on)?|mention)|(?:that )?i can think of|specific|in particular"
    r"|springs to mind))*"
    r"|none(?: (?:really|at all|that i can think of))?|no(?:pe)?|non|nil|nada|zero|\d+"
    r"|n ?/? ?a|na|not applicable|no comments?|no comment to make|no further comments?"
    r"|did not answer|didn ?t answer|not answered|no answer|no response|unanswered|blank"
    r"|left blank|no reply|declined(?: to answer)?|refused|prefer not to say"
    r"|(?:i )?(?:don ?t|do not|dont) know|dunno|not sure|unsure|no idea|idk"
    r"|(?:i )?(?:can ?t|cannot|can not|couldn ?t|could not) think of anything(?: (?:else|"
    r"really|at the moment|right now))?"
    r"|(?:i )?(?:can ?t|cannot|can not|couldn ?t|could not) (?:say|comment)"
    r"|all of (?:it|them)|everything|every thing|all|the lot|all of the above|as above"
    r"|see above|same as above|ditto|same|same again|as before|yes|ok|okay"
    r"|(?:(?:it was |it s |its |all |all very |very |really |always |everything (?:was )?)?"
    r"(?:good|fine|ok|okay|great|excellent|brilliant|fantastic|satisfactory|alright|"
    r"all right))"
    r"|nothing to improve on|nothing needs improving|nothing needs to change|no changes?"
    r"|no improvements?(?: needed| necessary)?|not at (?:the|this) (?:moment|time)"
    r"|not really|not that i know of|not that i can think of|nothing comes to mind"
    r"|(?:absolutely |really )?nothing(?: whatsoever)?"
    r"|(?:i )?(?:would not|wouldnt|wouldn t) change (?:anything|a thing)"
    r"|(?:it was |it s |its |it is )?all (?:good|fine|ok|okay)"
    r"|(?:i am |im |i was )?(?:very )?(?:happy|satisfied|content)(?: with (?:everything|it all|"
    r"all of it|the service))?"
    r"|(?:it )?(?:cannot|can t|cant|couldn t|could not) be improved(?: on)?"
    r"|(?:alright|ok|okay|fine|good) as it is|keep up the good work|no complaints"
    r"|thank you(?: (?:very|so) much)?(?: for everything)?|thanks(?: a lot)?(?: for everything)?"
    r"|x+|\?+|-+|\.+|\*+"
)
#: A whole comment (lower-cased, punctuation and extra spaces removed) that is a non-answer.
NON_ANSWER_PATTERN = re.compile(rf"^(?:{_NON_ANSWER_CORE})$")
_NON_ANSWER_MAX = 80  # longer comments always say something
_LEADING = " \t\r\n.,;:!?\"'()[]{}-*\u2013\u2014\u2018\u2019\u201c\u201d"
#: How a non-answer can begin (a cheap test before the full pattern).
_FIRST_WORDS = (
    "nothing", "none", "no", "non", "nil", "nada", "zero", "n", "did", "left", "declin",
    "refus", "prefer", "blank", "unanswered", "i", "don", "do not", "dunno", "not", "unsure",
    "idk", "can", "could", "all", "every", "the lot", "as ", "see", "same", "ditto", "yes",
    "ok", "it", "very", "really", "always", "absolutely", "happy", "satisf", "content",
    "alright", "fine", "good", "great", "excellent", "brilliant", "fantastic", "keep",
    "thank", "wouldn", "would", "x",
)  # fmt: skip
# apostrophes vanish ("can't" -> "cant"); other punctuation but ? * - becomes a space
_NON_ANSWER_TABLE = {ord(c): None for c in "'\u2019\u2018`\u00b4"} | {
    ord(c): " " for c in '!"#$%&()+,./:;<=>@[\\]^_{|}~\u2013\u2014\u2026\u201c\u201d\t\n\r'
}


# The same test for pyarrow's RE2 engine, applied to all comments at once: RE2 has no
# Unicode-aware \\d or \\s, so digits and whitespace are spelled out as Python reads them.
_PY_SPACES = "\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ARROW_APOSTROPHES = "['\u2019\u2018`\u00b4]"
_ARROW_SPACES = (
    "(?:[!\"#$%&()+,./:;<=>@\\[\\\\\\]^_{|}~\u2013\u2014\u2026\u201c\u201d]|["
    + _PY_SPACES
    + "])+"
)
_ARROW_PATTERN = "^(?:" + _NON_ANSWER_CORE.replace(r"\d", r"\p{Nd}") + ")?$"
_ARROW_FIRST = "^(?:$|[^\\pL]|" + "|".join(re.escape(w) for w in _FIRST_WORDS) + ")"


def non_answers(texts: Iterable[object] | pd.Series) -> np.ndarray:
    """Flag comments that say nothing about the service: "nothing", "n/a", "all of it".

    Parameters
    ----------
    texts : iterable of str or pandas.Series
        Comments; missing values and blanks count as non-answers.

    Returns
    -------
    numpy.ndarray of bool
        ``True`` where the whole comment is a non-answer.

    Notes
    -----
    A comment is lower-cased, apostrophes are dropped ("can't" → "cant"), every run of
    characters other than letters, digits, ``?``, ``*`` and ``-`` becomes one space, and the
    result must match :data:`NON_ANSWER_PATTERN` as a whole: bare refusals ("nothing",
    "none", "no comment", "did not answer", "not sure", "can't think of anything"), bare
    totals ("all of it", "everything", "as above"), one-word verdicts without a topic ("ok",
    "fine", "good", "yes"), placeholders ("-", "x", "?", "n/a") and numbers alone. "Nothing
    to improve, the staff were lovely" is *not* a non-answer: it says something about staff.
    Such comments are counted and shown, but left out of denominators, themes, quotes and
    review sheets, because no job can be read from them.

    Examples
    --------
    >>> non_answers(["Nothing.", "N/A", "can't think of anything", "All of it!",
    ...              "The nurse listened to me", "", None, "9"]).tolist()
    [True, True, True, True, False, True, True, True]
    """
    if isinstance(texts, pd.Series) and isinstance(texts.dtype, pd.StringDtype):
        arr = pa.array(texts.array)  # arrow-backed text: no copy; missing values are null
    else:
        values = texts.tolist() if isinstance(texts, pd.Series) else list(texts)
        arr = pa.array([v if isinstance(v, str) else None for v in values], pa.large_string())
    if len(arr) == 0:
        return np.zeros(0, dtype=bool)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    out = np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool).copy()
    short = pc.fill_null(pc.less_equal(pc.utf8_length(arr), _NON_ANSWER_MAX), False)
    index = np.flatnonzero(short.to_numpy(zero_copy_only=False))
    if index.size == 0:
        return out
    cand = pc.utf8_lower(arr.take(pa.array(index)))
    # the cheap test first: how the comment begins
    begins = pc.match_substring_regex(pc.utf8_ltrim(cand, characters=_LEADING), _ARROW_FIRST)
    keep = np.flatnonzero(begins.to_numpy(zero_copy_only=False))
    if keep.size == 0:
        return out
    cand = cand.take(pa.array(keep))
    cand = pc.replace_substring_regex(cand, _ARROW_APOSTROPHES, "")
    cand = pc.replace_substring_regex(cand, _ARROW_SPACES, " ")
    cand = pc.utf8_trim(cand, characters=" ")
    whole = pc.match_substring_regex(cand, _ARROW_PATTERN).to_numpy(zero_copy_only=False)
    out[index[keep[np.asarray(whole, dtype=bool)]]] = True
    return out
