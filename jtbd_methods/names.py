"""Person names that no list holds: dictionaries, titles, context and capitalisation.

Patients name the staff who helped them ("thanks to Priya on reception"), and listing every
name in 160,000 comments is impossible. :func:`find_names` finds person names in free text
without a list, for :func:`jtbd_methods.privacy.redact`; :func:`name_spans` does it for a
Series.

How a word is judged (details in :func:`find_names`):

* **titles and roles** before it ("Dr", "Dr.", "Mrs", "Sister", "nurse", "CPN") make it a name,
  whatever its case;
* **context** around it ("thanks to X", "X on reception", "X and Y were", "X was lovely");
* **dictionaries** of given names and surnames (``_data/names/``, built by
  ``tools/build_name_lists.py`` from the US Census 1990 lists shipped by the MIT-licensed
  ``names`` package and the person providers of the MIT-licensed ``Faker``, see [1]_ [2]_);
* **capitalisation inside a sentence**: a capitalised given name in mid-sentence is a name;
  the first word of a sentence needs context as well;
* capitalised **non-names** stay: days, months, "NHS", "God", "Covid", wards, hospitals and
  other places (a word followed by "Ward", "Hospital", "House"... or preceded by "St"),
  departments, drugs, nationalities, and common English words used as names ("Will", "May")
  unless the context says they are a person.

References
----------
.. [1] US Census Bureau (1995). *Frequently occurring first names and surnames from the 1990
   census* (``dist.all.last``, ``dist.female.first``, ``dist.male.first``), as shipped by the
   ``names`` 0.3.0 package (T. Hunner, MIT licence).
.. [2] Faker contributors. *Faker*, person and lorem providers (MIT licence).
.. [3] Sweeney, L. (1996). Replacing personally-identifying information in medical records,
   the Scrub system. *Proceedings of the AMIA Annual Fall Symposium*, 333-337.
.. [4] Neamatullah, I., Douglass, M. M., Lehman, L. H., et al. (2008). Automated
   de-identification of free-text medical records. *BMC Medical Informatics and Decision
   Making*, 8, 32. (Dictionaries of names combined with context patterns and lists of
   ambiguous words.)
"""

from __future__ import annotations

import functools
import re
from importlib import resources

import pandas as pd

__all__ = ["find_names", "is_known_name", "name_spans"]

# ----------------------------------------------------------------------------- word lists


@functools.cache
def _load(name: str) -> frozenset[str]:
    text = resources.files("jtbd_methods").joinpath("_data", "names", name).read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line)


def _given() -> frozenset[str]:
    return _load("given_names.txt")


def _surnames() -> frozenset[str]:
    return _load("surnames.txt")


@functools.cache
def _common() -> frozenset[str]:
    return _load("common_words.txt") | _FUNCTION_WORDS


def is_known_name(word: str) -> bool:
    """Whether ``word`` is in the shipped given-name or surname dictionary (any case).

    Examples
    --------
    >>> is_known_name("Priya"), is_known_name("O'Brien"), is_known_name("ward round")
    (True, True, False)
    """
    key = _key(word)
    return key in _given() or key in _surnames()


def _key(word: str) -> str:
    return word.lower().replace("'", "").replace("\u2019", "")


# Titles and roles written before a name (matched without case, with an optional full stop).
_TITLES = frozenset(
    """dr doctor mr mrs ms miss mx prof professor sister nurse matron cpn sr staffnurse
    consultant midwife dr's sir dame lady lord auntie uncle nanny grandma grandad physio
    receptionist therapist psychiatrist psychologist hca ot""".split()
)
# Words after a title that are not a name ("Nurse Practitioner", "Doctor Who").
_ROLE_WORDS = frozenset(
    """practitioner practitioners specialist specialists team teams led lead leads manager
    managers associate associates station consultant consultants registrar registrars
    surgeon surgeons nurse nurses doctor doctors staff unit ward wards clinic clinics
    sister sisters matron matrons in charge on call prescriber prescribers psychiatrist
    psychiatrists psychologist psychologists therapist therapists physio physios client
    clients patient patients people carer carers driver drivers worker workers peer peers
    support receptionist receptionists assistant assistants student students appt
    appointment""".split()
)
# Words after a name that make the whole phrase a place or an organisation.
_PLACE_WORDS = frozenset(
    """ward wards unit units hospital hospitals house centre center clinic clinics road
    street lane avenue close drive way surgery practice wing suite building court lodge park
    hall trust team teams service services department dept health mental royal infirmary
    general medical university college community hospice village campus block floor site
    school church chapel library memorial institute foundation fund charity cancer
    pharmacy hotel station square gardens green grove place hill view rise terrace mews
    manor farm county city town district borough council""".split()
)
# Words before a name that make it a place ("St Thomas", "Queen Elizabeth").
_PLACE_BEFORE = frozenset("st st. saint queen king prince princess".split())

# Capitalised words that are not people (lower case).
_NON_NAMES = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december jan feb mar apr jun jul aug sep
    sept oct nov dec christmas easter xmas eid diwali ramadan hanukkah
    nhs god lord jesus christ allah buddha covid corona coronavirus omicron
    english british scottish welsh irish polish indian pakistani african caribbean asian
    european american chinese christian muslim jewish catholic hindu sikh buddhist
    ward wards unit hospital clinic surgery reception receptionist pharmacy outpatients
    outpatient inpatient inpatients maternity radiology oncology cardiology neurology
    urology paediatrics pediatrics physio physiotherapy psychiatry psychology dermatology
    haematology orthopaedics gynaecology obstetrics endoscopy theatre theatres recovery
    nurse nurses doctor doctors sister matron consultant consultants staff team trust
    gp gps dr mr mrs ms miss prof professor midwife midwives porter porters healthcare
    accident emergency crisis home treatment community day night
    paracetamol ibuprofen codeine morphine oramorph tramadol diazepam lorazepam olanzapine
    clozapine quetiapine risperidone aripiprazole lithium sertraline fluoxetine citalopram
    mirtazapine venlafaxine amitriptyline gabapentin pregabalin insulin warfarin aspirin
    metformin amoxicillin penicillin omeprazole zopiclone methadone depot
    london leeds manchester birmingham liverpool bristol sheffield nottingham newcastle
    leicester derby york oxford cambridge cardiff glasgow edinburgh belfast coventry
    bradford hull plymouth southampton portsmouth brighton norwich exeter chester lincoln
    preston stoke mansfield worksop newark retford bassetlaw ashfield sherwood arnold
    rampton highbury wathwood kingsmill florence victoria beverley shirley stanley kingston
    clifton ashley hastings lancaster carlisle durham bath wells ely jersey guernsey
    england scotland wales ireland britain uk europe india pakistan africa
    amazon google facebook whatsapp zoom teams skype tesco boots asda macmillan marie curie
    samaritans mind age concern barnardos salvation army
    mental health hope mum mummy mom mommy dad daddy mam nan nana nanna gran granny grandma
    grandad grandpa grandad auntie aunty""".split()
)
# Function words: never a name on their own, even when capitalised in a title-case line.
_FUNCTION_WORDS = frozenset(
    """i a an the and or but if so as at by for from in into of on onto to with without was
    were is are be been being has have had do does did not no yes very too all any some
    every each this that these those there here it its he she they we you me him her them
    us our your their my mine his hers who whom whose which what when where why how than
    then also just only still even ever never always again please thank thanks thankyou
    dear hi hello regards best kind many much more most less least great good excellent
    lovely amazing brilliant fantastic wonderful helpful friendly caring nice said says told
    felt feel see seen saw love loved like liked overall mainly mostly really sessions
    session meals meal communication people person client patient patients staff cooler
    sun""".split()
)

_UP = "A-ZÀ-ÖØ-Þ\u0100\u0102\u0104\u0106\u010c\u010e\u0110\u0118\u011a\u0141\u0143\u0147\u0150\u0152\u0158\u015a\u0160\u0164\u016e\u0170\u0179\u017b\u017d"
_LOW = "a-zß-öø-ÿ\u0101\u0103\u0105\u0107\u010d\u010f\u0111\u0119\u011b\u0142\u0144\u0148\u0151\u0153\u0159\u015b\u0161\u0165\u016f\u0171\u017a\u017c\u017e"
# A capitalised word: "Sarah", "O'Brien", "McDonald", "Mary-Jane", "Zoë".
_CAPWORD = rf"(?:[{_UP}]['’])?[{_UP}][{_LOW}]+(?:[{_UP}][{_LOW}]+)?(?:-[{_UP}]?[{_LOW}]+)*"
_CAP = re.compile(rf"(?<![\w'’\-]){_CAPWORD}(?!\w)")
_NEXT_CAP = re.compile(rf"(?:[ \t]+|,[ \t]*)(?:[{_UP}]\.?[ \t]+)?({_CAPWORD})(?!\w)")
_ANY_UPPER = re.compile(rf"[{_UP}]")
# The word before a position (with an optional full stop) and what separates them.
_PREV = re.compile(r"([\w'’&]+)(\.?)([ \t,]*)$")
_INITIAL = re.compile(r"(?:^|[.!?\n\r:;•*\"“(\[>]|\s[-–—]|^[-–—])[\s\"“'‘(]*$")
_NEXT_WORD = re.compile(r"[ \t]+([\w'’-]+)")
_CONTRACTION = re.compile(r"^['’](?:t|ll|re|ve|d|m)\b", re.IGNORECASE)
_GROUP_WORDS = frozenset("support group groups worker workers project scheme network".split())
_PREV_CAP = re.compile(rf"({_CAPWORD})[ \t]+$")

_STAFF = (
    r"(?:nurses?|doctors?|receptionists?|physios?|consultants?|midwife|midwives|hcas?|"
    r"support\s+workers?|key\s*workers?|care\s+co-?ordinators?|psychiatrists?|"
    r"psychologists?|therapists?|social\s+workers?|ots?|cpns?|porters?|cleaners?|surgeons?|"
    r"registrars?|matron|sister|gps?|pharmacists?|paramedics?|sonographers?|radiographers?|"
    r"dietitians?|staff(?:\s+nurses?)?|manager|team\s+leader|volunteers?|carers?)"
)
_KIN = (
    r"(?:mum|mom|mother|dad|father|husband|wife|partner|son|daughter|brother|sister|friend|"
    r"carer|nan|nana|gran|granny|grandma|grandad|grandson|granddaughter|baby|boy|girl|"
    r"aunt|auntie|uncle|niece|nephew|cousin|fianc[eé]e?|neighbour|relative)"
)
# Strong context before: the next capitalised word is a person.
_STRONG_BEFORE = re.compile(
    r"(?:\b(?:thanks?(?:\s+(?:you|goes?|go))?(?:\s+(?:so\s+much|very\s+much))?\s+(?:to|for)?|"
    r"thank\s*you|thankyou|cheers|especially|particularly|specially|named|called|"
    r"name\s+(?:is|was)|ask(?:ed)?\s+for|spoke\s+to|speak\s+to|talk(?:ed)?\s+to|"
    r"shout\s*out\s+to|mention(?:\s+of)?|(?:seen|helped|treated|supported|looked\s+after|"
    r"cared\s+for|visited|assessed|examined|reassured)\s+by|met|meet|"
    r"(?:my|our|the|a|his|her)\s+(?:" + _STAFF + "|" + _KIN + r")(?:\s+(?:was|is))?"
    r")[\s,:]*)$",
    re.IGNORECASE,
)
# Strong context after: the capitalised word before it is a person.
_STRONG_AFTER = re.compile(
    r"^(?:\s+(?:on|at|from|in)\s+(?:the\s+)?(?:reception|front\s+desk|the\s+desk)|"
    r"\s*\(\s*(?:the\s+)?" + _STAFF + r"\b|"
    r",?\s+(?:the|our|my|a|his|her)\s+(?:lovely\s+|student\s+|senior\s+|junior\s+)?"
    + _STAFF
    + r"\b|"
    r"\s+(?:on|from|in)\s+(?:the\s+)?(?:[A-Z][\w&]*\s+)?(?:ward|unit|team|desk|reception|"
    r"pharmacy|wing|clinic)\b"
    r")",
    re.IGNORECASE,
)
# Context after a known name: it acts like a person.
_PERSON_AFTER = re.compile(
    r"^(?:'s?\b|’s?\b|\s+(?:was|is|were|has|had|always|really|made|helped|went|did|"
    r"listened|explained|took|gave|came|treated|spent|sorted|kept|said|told|rang|called|"
    r"phoned|visited|looked|showed|understood|cared|supported|saw|knew|who|herself|himself|"
    r"and\s+(?:her|his)\b|from\s+the\b|"
    r"deserves?|goes|can't|could|couldn't|would|should|will\s+be)\b|\s*,\s+(?:who|the|our|my)\b)",
)
# "X and Y were ..."
_PAIR_VERB = r"(?:were|are|have|had|both|always|really|[a-z]+ed)\b"
_PAIR_AFTER = re.compile(rf"^\s+(?:and|&)\s+({_CAPWORD})\s+{_PAIR_VERB}")
_PAIR_BEFORE = re.compile(rf"({_CAPWORD})\s+(?:and|&)\s+$")
_LOCATIVE_BEFORE = re.compile(r"\b(?:in|at|from|near|into|towards|around|via|outside)\s+$")
_TITLE_BEFORE = re.compile(r"(?:^|(?<=[^\w]))([A-Za-z]+)(\.?)[ \t]+(?:[A-Z]\.?[ \t]+)?$")
# "Cup of Tea", "Friends and Family": a capitalised word joined to this one by a small word
_TITLE_CASE_BEFORE = re.compile(rf"({_CAPWORD})[ \t]+(?:of|and|&|the|for|in|on|at|with)[ \t]+$")
_LOWER_AFTER_TITLE = re.compile(
    r"\b(" + "|".join(sorted(_TITLES, key=len, reverse=True)) + r")(\.?)[ \t]+([a-z][a-z'’-]+)\b",
    re.IGNORECASE,
)
# A title or "thank" followed by a lower-case word: only then is the lower-case pass run.
_LOWER_TRIGGER = re.compile(
    r"\b(?:" + "|".join(sorted(_TITLES, key=len, reverse=True)) + r"|thank[a-z]*)\.?[ \t,]+[a-z]",
    re.IGNORECASE,
)
_LOWER_AFTER_THANKS = re.compile(
    r"\b(?:thanks?\s+(?:you\s+)?to|thank\s*you|thankyou)[ \t,]+([a-z][a-z'’-]+)\b", re.IGNORECASE
)
_DRUG_SUFFIX = re.compile(
    r"(?:azepam|azole|pine|pril|olol|statin|cillin|mycin|oxetine|idone|apine|sartan|mab|tidine|"
    r"prazole|triptyline|profen|amol|codone|phine|azine|oxacin)$"
)


def _is_given(key: str) -> bool:
    return key in _given() or ("-" in key and all(p in _given() for p in key.split("-") if p))


def _is_surname(key: str) -> bool:
    return key in _surnames() or ("-" in key and all(p in _surnames() for p in key.split("-") if p))


def _non_name(key: str) -> bool:
    return key in _NON_NAMES or key in _FUNCTION_WORDS


def _titled(before: str) -> bool:
    """Whether ``before`` ends with a title or role followed by spaces ("Dr. ", "nurse ")."""
    match = _TITLE_BEFORE.search(before[-24:])
    if match is None:
        return False
    word = match.group(1).lower()
    if word not in _TITLES:
        return False
    # a role word ("nurse", "physio") counts only when it directly precedes: "the nurse Sarah"
    return True


def _place_before(before: str) -> bool:
    match = _PREV.search(before[-20:])
    return match is not None and (match.group(1).lower() + match.group(2)) in _PLACE_BEFORE | {"st"}


def _next_word(after: str) -> str:
    match = re.match(r"[ \t]+([\w'’-]+)", after)
    return match.group(1).lower() if match else ""


def _extend(text: str, end: int) -> int:
    """Extend a name over following name words ("Sarah Jane O'Neill", "Smith, John")."""
    for _ in range(3):
        match = _NEXT_CAP.match(text, end)
        if match is None:
            break
        gap = text[end : match.start(1)]
        key = _key(match.group(1))
        if _non_name(key) or key in _PLACE_WORDS:
            break
        known = _is_given(key) or _is_surname(key)
        if "," in gap and not _is_given(key):
            break  # "Smith, John" only when the second word is a given name
        if not known and key in _common():
            break
        end = match.end(1)
    return end


def _judge(text: str, start: int, end: int, word: str) -> bool:
    """Whether the capitalised ``word`` at ``text[start:end]`` is a person's name."""
    key = _key(word)
    if key in _FUNCTION_WORDS:
        return False
    given = _is_given(key)
    surname = _is_surname(key)
    common = key in _common()
    if common and not (given or surname):
        return False  # a capitalised common word ("Parking", "Overall") is never a name
    before = text[max(0, start - 60) : start]
    after = text[end : end + 60]
    if _titled(before):
        nxt = key
        return nxt not in _ROLE_WORDS and nxt not in _FUNCTION_WORDS and not _non_name_strict(nxt)
    if _non_name(key) or key in _PLACE_WORDS or _CONTRACTION.match(after):
        return False
    if _followed_by_place(text, end):
        return False
    if _place_before(before):
        return False
    previous = _PREV_CAP.search(before)
    if previous is not None and _non_name(_key(previous.group(1))) and not _is_given(key):
        return False  # part of a longer proper noun that starts with a non-name
    strong = bool(_STRONG_BEFORE.search(before) or _STRONG_AFTER.match(after))
    pair = _PAIR_AFTER.match(after)
    if pair is not None and not _non_name(_key(pair.group(1))):
        strong = True
    pair_before = _PAIR_BEFORE.search(before)
    if pair_before is not None and re.match(rf"^\s+{_PAIR_VERB}", after):
        strong = strong or not _non_name(_key(pair_before.group(1)))
    if strong:
        if given or surname:
            return True
        return not common and _DRUG_SUFFIX.search(key) is None and not key.endswith("ing")
    person = bool(_PERSON_AFTER.match(after))
    initial = _INITIAL.search(before) is not None or not before.strip()
    if (given or surname) and person and not common:
        return True
    if initial:
        # first word of a sentence: a full name ("Sarah Jones was ...") or "Smith, John"
        follow = _NEXT_CAP.match(text, end)
        if follow is None or common:
            return False
        follow_key = _key(follow.group(1))
        if _non_name(follow_key) or follow_key in _PLACE_WORDS:
            return False
        if "," in text[end : follow.start(1)]:
            return surname and _is_given(follow_key)  # "Smith, John"
        return given and _is_surname(follow_key)
    if _LOCATIVE_BEFORE.search(before) and not person:
        return False
    if given and not common:
        joined = _TITLE_CASE_BEFORE.search(before)
        if joined is not None and not _is_given(_key(joined.group(1))) and not person:
            return False  # part of a title-case phrase
        return True
    if (given or surname) and person:
        return True
    if surname and not common:
        follow = _NEXT_CAP.match(text, end)
        if follow is not None and "," in text[end : follow.start(1)]:
            return _is_given(_key(follow.group(1)))
    return False


def _followed_by_place(text: str, end: int) -> bool:
    """Whether the name-like words from ``end`` on run into a place word ("Ruby Ward")."""
    for _ in range(3):
        match = _NEXT_WORD.match(text, end)
        if match is None:
            return False
        word = match.group(1)
        if _key(word) in _PLACE_WORDS or _key(word) in _GROUP_WORDS:
            return True
        if not word[:1].isupper():
            return False
        end = match.end(1)
    return False


def _non_name_strict(key: str) -> bool:
    """Non-names that stay even after a title (days, months, NHS...: "Dr" is then a typo)."""
    return key in {"nhs", "god", "covid", "monday", "tuesday", "wednesday", "thursday"} or (
        key in {"friday", "saturday", "sunday"}
    )


def _lowercase_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for match in _LOWER_AFTER_TITLE.finditer(text):
        word = match.group(3)
        key = _key(word)
        if word[0].isupper() or key in _common() or _non_name(key) or key in _ROLE_WORDS:
            continue
        title = match.group(1).lower()
        if _is_given(key) or (
            title in {"dr", "doctor", "mr", "mrs", "ms", "miss", "prof"} and _is_surname(key)
        ):
            spans.append(match.span(3))
    for match in _LOWER_AFTER_THANKS.finditer(text):
        word = match.group(1)
        key = _key(word)
        if word[0].isupper() or key in _common() or _non_name(key):
            continue
        if _is_given(key):
            spans.append(match.span(1))
    return spans


def find_names(text: str) -> list[tuple[int, int]]:
    """Character spans of person names in ``text``, found without a list.

    Parameters
    ----------
    text : str
        One free-text comment.

    Returns
    -------
    list of (int, int)
        ``(start, end)`` offsets of each name, in order, not overlapping; a full name
        ("Sarah Jane O'Neill", "Smith, John") is one span. Titles stay outside the span
        ("Dr [name]").

    Raises
    ------
    TypeError
        If ``text`` is not a str.

    Notes
    -----
    A capitalised word is a name when

    1. it follows a title or role ("Dr", "Dr.", "Mrs", "Sister", "nurse", "CPN"), unless it is
       a role itself ("Nurse Practitioner") or a function word; a lower-case given name after
       a title or after "thanks to" is a name too ("nurse sarah");
    2. or the context says so: "thanks to X", "especially X", "my nurse X", "X on reception",
       "X (nurse)", "X the physio", "X and Y were": then any capitalised word that is not a
       known non-name, a common English word or a drug-like word (suffixes such as
       "-azepam", "-pine") is a name;
    3. or it is a known given name or surname followed by what people do ("X was", "X's",
       "X listened"), unless it is a common English word ("Will", "Hope");
    4. or, inside a sentence, it is a known given name that is not a common English word
       ("... and Priya explained"), unless a locative word ("in", "at", "from") comes
       before it;
    5. at the start of a sentence, only a full name ("Sarah Jones") or "Surname, Forename",
       or with the context of rules 2-3.

    Never a name: words followed by a place word ("Florence Ward", "Arnold Lodge", "Queen
    Elizabeth Hospital"), words after "St"/"Saint"/"Queen", days, months, holidays, "NHS",
    "God", "Covid", nationalities, departments, common drugs, UK towns and a few
    organisations. Text in capitals only ("SARAH WAS LOVELY") is not examined. A placeholder
    such as ``[name]`` is never a name.

    References
    ----------
    .. [1] Neamatullah, I. et al. (2008). Automated de-identification of free-text medical
       records. *BMC Medical Informatics and Decision Making*, 8, 32.

    Examples
    --------
    >>> text = "Thanks to Priya on reception and Dr. Okafor; Florence Ward on Monday was calm."
    >>> [text[s:e] for s, e in find_names(text)]
    ['Priya', 'Okafor']
    >>> other = "The nurse sarah and Tom Reilly were lovely at Leeds."
    >>> [other[s:e] for s, e in find_names(other)]
    ['sarah', 'Tom Reilly']
    """
    if not isinstance(text, str):
        raise TypeError(f"find_names: 'text' must be a str; got {type(text).__name__}.")
    spans: list[tuple[int, int]] = []
    if _ANY_UPPER.search(text) is not None:
        for match in _CAP.finditer(text):
            start, end = match.span()
            if spans and start < spans[-1][1]:
                continue
            if start and text[start - 1] == "[":
                continue
            if _judge(text, start, end, match.group()):
                spans.append((start, _extend(text, end)))
    if _LOWER_TRIGGER.search(text) is not None:
        spans.extend(_lowercase_spans(text))
    if not spans:
        return []
    spans.sort()
    merged: list[tuple[int, int]] = [spans[0]]
    for start, end in spans[1:]:
        if start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def name_spans(texts: pd.Series) -> pd.Series:
    """:func:`find_names` for every text of a Series (missing values give an empty list).

    Parameters
    ----------
    texts : pandas.Series
        Texts; missing values are allowed.

    Returns
    -------
    pandas.Series
        Lists of ``(start, end)`` spans, with the index of ``texts``.

    Examples
    --------
    >>> name_spans(pd.Series(["Ask for Deepak.", None, "Seen on Tuesday."])).tolist()
    [[(8, 14)], [], []]
    """
    values = [find_names(t) if isinstance(t, str) else [] for t in texts.tolist()]
    return pd.Series(values, index=texts.index, name=texts.name, dtype=object)
