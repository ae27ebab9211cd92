"""student_pii: roster-aware student names with identifying context, IDs, contact details, health and
discipline details.

A full name on the roster is PII on its own. A first or preferred name (or first name + initial)
is PII only when the text gives identifying context: grade, class or homeroom, a teacher, a named
school, age or birthday, or sensitive details. Staff, public figures and other people are told
apart by the next word: "Connor McDavid" is not the student Connor.
"""
import re

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from classifiers.base import add
from classifiers.gated import GatedMatcher
from rapidfuzz.distance import Levenshtein

from classifiers.lexicons import (ALUMNI_CUE, BUSINESS_WORDS, CLASS_SUBJECTS, FICTION_WORDS, HEALTH_TERMS, OTHER_TERMS, PET_WORDS,
                                  SCHOOL_GENERIC, TITLES, WORD_NAMES)
from classifiers.reasons import detail_kind, grade_phrase, student_phrase
from classifiers.roster import Roster, fold

_GRADE_NUM = r"^(k|jk|sk|\d{1,2}|\d{1,2}s|\d{1,2}[a-f]|\d{1,2}'s)$"
_AGE_NUM = r"^([4-9]|1[0-9])$"
# a school-age age, in digits or words: "turns 50" is a building's anniversary, not a student's age
_CHILD_AGE = r"^([1-9]|1[0-9]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)(st|nd|rd|th)?$"
_NOT_FIRST = {"grade", "room", "group", "period", "team", "class", "science", "math", "div", "block", "mr", "mrs", "ms", "dr", "st", "ave", "vs", "no"}
_BIRTH_WORDS = {"birthday", "bday", "b-day", "birthdate", "born", "dob"}
MONTHS = ["jan", "jan.", "january", "feb", "feb.", "february", "mar", "mar.", "march", "apr", "apr.", "april", "may",
          "jun", "june", "jul", "july", "aug", "aug.", "august", "sep", "sept", "sept.", "september", "oct", "oct.",
          "october", "nov", "nov.", "november", "dec", "dec.", "december"]


def _context_patterns() -> dict[str, list[list[dict]]]:
    num = {"LOWER": {"REGEX": _GRADE_NUM}}
    return {
        "GRADE": [
            [{"LOWER": {"IN": ["grade", "gr", "gr.", "grd", "gd"]}}, {"TEXT": ".", "OP": "?"}, {"TEXT": "-", "OP": "?"}, num],
            [{"LOWER": {"REGEX": r"^(gr|grade)\d{1,2}s?$"}}],
            [{"LOWER": {"REGEX": r"^\d{1,2}(st|nd|rd|th)$"}}, {"LOWER": {"IN": ["grade", "grader", "graders"]}}],
            [{"LOWER": {"IN": ["kindergarten", "kindergartener", "kindergartner", "kinder", "preschool", "pre-k"]}}],
            [{"LOWER": {"IN": ["grade", "grades"]}}, {"LOWER": {"REGEX": r"^(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)s?$"}}],
        ],
        "CLASS": [
            [{"LOWER": {"IN": ["room", "rm", "rm.", "div", "division", "period", "homeroom", "hr", "block", "cohort"]}}, {"TEXT": {"REGEX": r"^\d{1,3}[A-Za-z]?$"}}],
            [{"LOWER": {"IN": ["homeroom", "classmates", "classmate", "lab", "partner", "partners"]}}],
            [{"LOWER": {"IN": CLASS_SUBJECTS}}, {"TEXT": {"REGEX": r"^(\d{1,2}|[1-4]0(-[1-4])?|\d{1,2}[A-Fa-f])$"}}],
            [{"TEXT": {"REGEX": r"^\d{1,2}[A-F]$"}}],
        ],
        "TEACHER": [
            [{"LOWER": {"IN": TITLES[:11]}}, {"IS_TITLE": True}],
            [{"LOWER": {"IN": ["teacher", "teachers", "homeroom", "principal", "coach", "ea", "aide"]}}],
        ],
        "AGE": [
            [{"LOWER": {"IN": ["turns", "turned", "turning", "aged", "age"]}}, {"LOWER": {"REGEX": _CHILD_AGE}}],
            [{"LOWER": {"REGEX": _CHILD_AGE}}, {"LOWER": {"IN": ["years", "yrs", "year"]}}, {"LOWER": "old"}],
            [{"LOWER": {"REGEX": r"^\d{1,2}-(year|yr)-old$"}}],
            [{"LIKE_NUM": True}, {"TEXT": "-"}, {"LOWER": {"IN": ["year", "yr"]}}, {"TEXT": "-"}, {"LOWER": "old"}],
            [{"LOWER": {"IN": ["birthday", "bday", "b-day", "birthdate", "born", "dob"]}}],
            [{"LOWER": {"REGEX": _AGE_NUM}}, {"LOWER": {"IN": ["looks", "today", "now"]}}],
            [{"LOWER": {"IN": ["she", "he", "they"]}}, {"LOWER": {"IN": ["'s", "is", "turns", "'re", "are"]}}, {"LOWER": {"REGEX": _AGE_NUM}}],
            # "Felix is 10 and ...": a name, then an age (not "is 10 minutes late")
            [{"IS_TITLE": True, "IS_ALPHA": True}, {"LOWER": {"IN": ["is", "'s", "was"]}}, {"LOWER": {"REGEX": _AGE_NUM}},
             {"LOWER": {"IN": ["and", ",", ".", "!", "today", "now", "already", "but", "so", "this", "next", "on", "in", "yrs", "years"]}}],
        ],
    }


@Language.factory("hallwatch_student_pii")
class StudentPII:
    def __init__(self, nlp: Language, name: str) -> None:
        self.nlp = nlp
        self.context = GatedMatcher(nlp.vocab, _context_patterns())
        self.sensitive = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.sensitive.add("HEALTH", [nlp.make_doc(t) for t in HEALTH_TERMS])
        self.sensitive.add("OTHER_PII", [nlp.make_doc(t) for t in OTHER_TERMS])
        self.ids = Matcher(nlp.vocab)
        self.ids.add("STUDENT_ID", [
            [{"LOWER": {"IN": ["student", "stu"]}}, {"LOWER": {"IN": ["#", "number", "no", "no.", "id", "num", "nbr"]}}, {"TEXT": {"IN": ["#", ":", "is"]}, "OP": "*"}, {"TEXT": {"REGEX": r"^#?\d{5,9}$"}}],
            [{"TEXT": {"REGEX": r"^#\d{5,9}$"}}],
            [{"TEXT": "#"}, {"TEXT": {"REGEX": r"^\d{5,9}$"}}],
        ])
        self.bare_ids = Matcher(nlp.vocab)
        self.bare_ids.add("NUM", [[{"TEXT": {"REGEX": r"^\d{6,9}$"}}]])
        self.dates = Matcher(nlp.vocab)
        self.dates.add("DOB", [
            [{"LOWER": {"IN": MONTHS}}, {"TEXT": {"REGEX": r"^\d{1,2}(st|nd|rd|th)?$"}}, {"TEXT": ",", "OP": "?"}, {"TEXT": {"REGEX": r"^(19|20)\d\d$"}, "OP": "?"}],
            [{"TEXT": {"REGEX": r"^\d{1,2}(st|nd|rd|th)?$"}}, {"LOWER": {"IN": MONTHS}}, {"TEXT": {"REGEX": r"^(19|20)\d\d$"}, "OP": "?"}],
            [{"TEXT": {"REGEX": r"^(19|20)\d\d[-/]\d{1,2}[-/]\d{1,2}$|^\d{1,2}/\d{1,2}/(19|20)?\d\d$"}}],
            # "2014-05-09" as the tokenizer splits it
            [{"TEXT": {"REGEX": r"^(19|20)\d\d$"}}, {"TEXT": {"IN": ["-", "/"]}}, {"TEXT": {"REGEX": r"^\d{1,2}$"}}, {"TEXT": {"IN": ["-", "/"]}}, {"TEXT": {"REGEX": r"^\d{1,2}$"}}],
        ])
        self.roster: Roster | None = None
        self.names: PhraseMatcher | None = None
        self.schools: PhraseMatcher | None = None
        self.handles: dict[str, str] = {}

    def set_roster(self, roster: Roster) -> None:
        """Build the name matchers for this division (once per Analyzer, not per doc)."""
        self.roster = roster
        self.names = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.names.add("FULL", [self.nlp.make_doc(n) for n in roster.full])
        self.names.add("FIRST", [self.nlp.make_doc(n) for n in roster.first])
        self.schools = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        patterns = []
        for school in roster.schools:
            words = school.split()
            core = [w for w in words if fold(w) not in SCHOOL_GENERIC]
            for phrase in {school, " ".join(core)}:
                if phrase and fold(phrase) not in SCHOOL_GENERIC and len(phrase) > 3:
                    patterns.append(self.nlp.make_doc(phrase))
        if patterns:
            self.schools.add("SCHOOL", patterns)
        # full names written as one handle: brooklyn_harder, brooklynharder07, @brooklyn.harder
        self.handles = {re.sub(r"[^a-z]", "", key): key for key in roster.full}

    def __call__(self, doc: Doc) -> Doc:
        if self.roster is None or self.names is None:
            return doc
        roster = self.roster
        item = doc._.item
        school = roster.school_of(item.account) if item is not None else None
        context_matches = self._context_matches(doc)
        contexts = {label: (s, e) for label, s, e in context_matches}
        if self.schools is not None and any(not doc[s].text.startswith("#") for _, s, _ in self.schools(doc)):
            contexts.setdefault("SCHOOL", (0, 0))
        # the longest of overlapping sensitive phrases ("intervention group" over "intervention")
        sensitive = [(span.label_, span.start, span.end) for span in filter_spans([Span(doc, s, e, label=m) for m, s, e in self.sensitive(doc)])]
        has_context = bool(contexts) or bool(sensitive)

        names: list[tuple[int, int, float, str, str]] = []  # token start, end, score, student key, kind of mention
        identified: set[str] = set()
        matches = sorted(self.names(doc), key=lambda m: (m[1], -(m[2] - m[1])))
        taken: set[int] = set()
        for match_id, start, end in matches:
            if any(i in taken for i in range(start, end)):
                continue
            kind = doc.vocab.strings[match_id]
            span = doc[start:end]
            key = fold(span.text)
            if kind == "FULL":
                if key in roster.staff_full:
                    continue
                names.append((start, end, 0.95, key.split()[0], "full"))
                identified.add(key.split()[0])
                taken.update(range(start, end))
        for start, end, key in self._misspelt(doc, taken):
            names.append((start, end, 0.85, key, "misspelt"))
            identified.add(key)
            taken.update(range(start, end))
        for match_id, start, end in matches:
            if doc.vocab.strings[match_id] != "FIRST" or start in taken:
                continue
            token = doc[start]
            first = fold(token.text)
            if first in WORD_NAMES and not token.is_title and not token.is_upper and first not in identified:
                # lowercase "ruby" counts only with grade context right beside it
                if not _near(contexts.get("GRADE"), start, 4):
                    continue
            if start > 0 and fold(doc[start - 1].text) in TITLES:
                continue
            if first not in identified and _not_a_student(doc, start):
                continue
            nxt = doc[start + 1] if start + 1 < len(doc) else None
            end = start + 1
            if nxt is not None and nxt.text[0].isupper() and not nxt.is_sent_start and nxt.is_alpha and len(nxt.text) > 1 and not _initial(nxt.text):
                # another person's full name (staff, athlete, author, character): not this student
                continue
            if nxt is not None and _initial(nxt.text) and not nxt.is_sent_start:
                end = start + 1 + (1 if not nxt.text.endswith(".") and start + 2 < len(doc) and doc[start + 2].text == "." else 0) + 1
            if first in roster.staff_first and first not in roster.first:
                continue
            candidates = roster.students_named(first, school) or roster.students_named(first, None)
            if not candidates:
                continue
            if first in identified or has_context:
                score = 0.9 if first in identified else (0.85 if roster.students_named(first, school) else 0.7)
                names.append((start, end, score, first, "repeat" if first in identified else "first"))
                taken.update(range(start, end))
        names.extend(self._unknown_students(doc, contexts, taken, roster))
        names.extend(self._handles(doc, taken))
        if has_context:
            names.extend(self._initialled(doc, taken, roster))

        self._ids(doc, contexts)
        self._student_emails(doc)
        if not names:
            doc._.students = []
            return doc
        doc._.students = [mention[3] for mention in names]
        high = bool(sensitive)
        grade = grade_phrase(doc[contexts["GRADE"][0]:contexts["GRADE"][1]].text) if "GRADE" in contexts else ""
        detail = detail_kind(sensitive[0][0], doc[sensitive[0][1]:sensitive[0][2]].text) if sensitive else ""
        for start, end, score, _, kind in names:
            span = doc[start:end]
            add(doc, "student_pii", score, span.start_char, span.end_char, "STUDENT_NAME", "high" if high else "medium",
                reason=_name_reason(kind, contexts, grade, detail))
        for label, start, end in sensitive:
            span = doc[start:end]
            add(doc, "student_pii", 0.8, span.start_char, span.end_char, label, "high",
                reason=f"{detail_kind(label, span.text)} about a named student")
        ages = [_age_only(doc[s:e]) for label, s, e in context_matches if label == "AGE" and not doc[s].lower_ in _BIRTH_WORDS]
        for span in filter_spans(ages):
            # "turns 13", "14 looks good": the age is the student's personal information
            add(doc, "student_pii", 0.7, span.start_char, span.end_char, "OTHER_PII", "medium", reason="a named student's age")
        if "AGE" in contexts:
            for _, start, end in self.dates(doc):
                span = doc[start:end]
                add(doc, "student_pii", 0.8, span.start_char, span.end_char, "DOB", "high", reason="a named student's birthdate")
        self._contacts(doc)
        return doc

    def reads_entities(self, doc: Doc) -> bool:
        """Whether NER could change this doc's findings: unknown names are looked for beside a grade only."""
        return any(label == "GRADE" for label, _, _ in self._context_matches(doc))

    def _context_matches(self, doc: Doc) -> list[tuple[str, int, int]]:
        # asked before NER too (reads_entities), so kept on the doc: the Matcher runs once per doc
        if "hallwatch_context" not in doc.user_data:
            doc.user_data["hallwatch_context"] = [(doc.vocab.strings[m], s, e) for m, s, e in self.context(doc)]
        return doc.user_data["hallwatch_context"]

    def _unknown_students(self, doc: Doc, contexts: dict[str, tuple[int, int]], taken: set[int], roster: Roster) -> list[tuple[int, int, float, str, str]]:
        """A person the roster does not know, written right beside a grade: a student, at lower confidence."""
        grade = contexts.get("GRADE")
        if grade is None:
            return []
        if len(doc) and not doc.has_annotation("ENT_IOB"):
            raise ValueError("student_pii needs named entities for a doc with a grade; run the NER on it first")
        found = []
        for ent in doc.ents:
            if ent.label_ != "PERSON" or any(i in taken for i in range(ent.start, ent.end)) or len(ent) < 2:
                continue
            if not all(t.is_alpha and t.is_title for t in ent) or ent[0].lower_ in _NOT_FIRST:
                continue
            if fold(ent.text) in roster.staff_full or (ent.start > 0 and fold(doc[ent.start - 1].text) in TITLES):
                continue
            if any(fold(t.text) in BUSINESS_WORDS for t in ent[1:]):
                continue  # "Ruby Cafe": a business
            if any(full in fold(ent.text) for full in roster.staff_full) or re.search(ALUMNI_CUE, _around(doc.text, ent.start_char, ent.end_char), re.I):
                continue  # "Email Helena Marsh" (staff), "alumna Jasmine Okafor, class of 2008" (an adult)
            if _near(grade, ent.start, 3) or _near(grade, ent.end - 1, 3):
                found.append((ent.start, ent.end, 0.6, fold(ent.text), "unknown"))
        return found

    def _ids(self, doc: Doc, contexts: dict[str, tuple[int, int]]) -> None:
        """Student numbers: after "student #", on the roster, or bare 7-digit numbers listed in a school notice."""
        assert self.roster is not None
        contacts = doc._.contacts or []
        seen: set[int] = set()
        if not any(c.isdigit() for c in doc.text):
            return
        for _, start, end in self.ids(doc):
            last = doc[end - 1]
            if last.i in seen:
                continue
            seen.add(last.i)
            if doc[start].text.startswith("#") and last.text.lstrip("#") not in self.roster.student_ids and _numbered_thing(doc, start):
                continue  # "Order #8429911": an order, a ticket or a case number
            add(doc, "student_pii", 0.9, last.idx + (1 if last.text.startswith("#") else 0), last.idx + len(last.text), "STUDENT_ID", "high",
                reason="a student number")
        bare = [doc[s] for _, s, _ in self.bare_ids(doc) if s not in seen]
        bare = [t for t in bare if not any(cs <= t.idx < ce for _, cs, ce in contacts)
                and not (t.i > 0 and doc[t.i - 1].lower_ in {"$", "code", "passcode", "pin", "id", "password", "is", "zoom"})]
        schoolish = {"room", "exam", "seating", "seat", "student", "students", "locker", "homeroom"} & {t.lower_ for t in doc}
        for token in bare:
            if token.text in self.roster.student_ids:
                add(doc, "student_pii", 0.95, token.idx, token.idx + len(token.text), "STUDENT_ID", "high", reason="a student number from the roster")
            elif len(token.text) == 7 and schoolish:
                add(doc, "student_pii", 0.8, token.idx, token.idx + len(token.text), "STUDENT_ID", "high",
                    reason="a seven-digit number in a school list, likely a student number")

    def _misspelt(self, doc: Doc, taken: set[int]) -> list[tuple[int, int, str]]:
        """A roster full name with one word misspelt ("Jonah Brightwatter", "Pria Castellanos"): one word exact,
        the other within one edit (two for long names) and with the same first letter."""
        roster = self.roster
        assert roster is not None
        found = []
        for token in doc[:-1]:
            nxt = doc[token.i + 1]
            if token.i in taken or nxt.i in taken or not (token.is_alpha and nxt.is_alpha) or len(token) < 3 or len(nxt) < 3:
                continue
            first, last = fold(token.text), fold(nxt.text)
            if f"{first} {last}" in roster.staff_full:
                continue
            candidates = [(s, s.last_name, last) for s in roster.first.get(first, [])] + \
                         [(s, name, first) for s in roster.last.get(last, []) for name in (s.first_name, s.preferred_name) if name]
            for student, expected, written in candidates:
                expected = fold(expected)
                if written != expected and written[0] == expected[0] and Levenshtein.distance(written, expected) <= (2 if len(expected) >= 8 else 1):
                    found.append((token.i, token.i + 2, fold(student.first_name)))
                    taken.update((token.i, token.i + 1))
                    break
        return found

    def _student_emails(self, doc: Doc) -> None:
        """A student's e-mail address on its own: it holds their student number or their full name."""
        roster = self.roster
        assert roster is not None
        for label, start, end in list(doc._.contacts or []):
            if label != "EMAIL":
                continue
            local = doc.text[start:end].split("@", 1)[0]
            digits = re.findall(r"\d{5,9}", local)
            letters = re.sub(r"[^a-z]", "", fold(local))
            if roster.is_staff_email(doc.text[start:end]):
                continue
            if any(d in roster.student_ids for d in digits) or (len(letters) >= 6 and letters in self.handles):
                add(doc, "student_pii", 0.9, start, end, "EMAIL", "high", reason="a student's e-mail address (it holds their number or name)")
                doc._.contacts = [c for c in doc._.contacts if c != (label, start, end)]

    def _handles(self, doc: Doc, taken: set[int]) -> list[tuple[int, int, float, str, str]]:
        """A full name written as one handle or hashtag (@dez_ferraro, desmondferraro07)."""
        found = []
        for token in doc:
            # only handle-like tokens (symbols, digits) or long run-together words: keeps this off ordinary words
            if token.i in taken or len(token.text) < 6 or (token.is_alpha and len(token.text) < 10):
                continue
            letters = re.sub(r"[^a-z]", "", fold(token.text))
            if len(letters) < 6:
                continue
            for key, full in self.handles.items():
                if key in letters:
                    found.append((token.i, token.i + 1, 0.9, full.split()[0], "handle"))
                    taken.add(token.i)
                    break
        return found

    def _initialled(self, doc: Doc, taken: set[int], roster: Roster) -> list[tuple[int, int, float, str, str]]:
        """"Zoe L." in a text with class context: a student the roster does not list, at lower confidence."""
        found = []
        for token in doc[:-1]:
            nxt = doc[token.i + 1]
            if token.i in taken or not token.is_title or not token.is_alpha or len(token.text) < 3:
                continue
            if not re.fullmatch(r"[A-Z]\.", nxt.text) or (token.i > 0 and fold(doc[token.i - 1].text) in TITLES):
                continue
            if fold(token.text) in roster.staff_first or token.lower_ in _NOT_FIRST:
                continue
            found.append((token.i, token.i + 2, 0.6, fold(token.text), "initial"))
            taken.update((token.i, token.i + 1))
        return found

    def _contacts(self, doc: Doc) -> None:
        """IDs and contact details in a text that names a student are the student's (office ones excepted)."""
        roster = self.roster
        assert roster is not None
        item = doc._.item
        for contact_label, start, end in list(doc._.contacts or []):
            value = doc.text[start:end]
            if _is_office(value, roster, item):
                continue
            add(doc, "student_pii", 0.8, start, end, contact_label, "high", reason=_CONTACT_REASONS[contact_label])
            doc._.contacts = [c for c in doc._.contacts if c != (contact_label, start, end)]


_CONTACT_REASONS = {"PHONE": "a phone number in a post that names a student",
                    "EMAIL": "an e-mail address in a post that names a student",
                    "ADDRESS": "a home address in a post that names a student"}
_CONTEXT_REASONS = (("GRADE", "their grade"), ("CLASS", "their class or room"), ("TEACHER", "their teacher"),
                    ("SCHOOL", "the school's name"), ("AGE", "their age or birthday"))


def _name_reason(kind: str, contexts: dict[str, tuple[int, int]], grade: str, detail: str) -> str:
    """Why this mention of a student is identifying: the kind of name and the context beside it."""
    if kind == "full":
        return "a student's full name from the roster" + (f", with {detail}" if detail else "")
    if kind == "repeat":
        return "another mention of a student named in full"
    if kind == "handle":
        return "a student's full name written as a handle"
    if kind == "misspelt":
        return "a student's full name from the roster, misspelt"
    if kind == "unknown":
        return f"names {student_phrase(grade)} who is not on the roster"
    if kind == "initial":
        return "a first name and initial with class context, likely a student"
    if detail:
        return f"names {student_phrase(grade)} with {detail}"
    for label, phrase in _CONTEXT_REASONS:
        if label in contexts:
            if label == "GRADE" and grade:
                return f"a student's first name with their grade ({grade})"
            return f"a student's first name with {phrase}"
    return "a student's first name with identifying context"


def _is_office(value: str, roster: Roster, item) -> bool:
    folded = value.lower()
    if any(folded in c.lower() or c.lower() in folded for c in roster.directory.office_contacts if c):
        return True
    if "@" in folded:
        return roster.is_staff_email(folded) or folded.rsplit("@", 1)[-1] in roster.staff_domains
    # the account itself posting a phone or address is the school's own
    return bool(item is not None and item.author.is_account)


_NUMBERED_THINGS = {"order", "invoice", "ticket", "receipt", "case", "ref", "reference", "tracking", "confirmation", "po", "item",
                    "lot", "flight", "account", "issue", "claim", "file", "policy", "permit", "job", "bib", "jersey"}


def _numbered_thing(doc: Doc, start: int) -> bool:
    """'Order #8429911', 'ticket # 5512345': the number right after names a thing, not a student."""
    return start > 0 and fold(doc[start - 1].text).rstrip(".:") in _NUMBERED_THINGS


def _not_a_student(doc: Doc, start: int) -> bool:
    """A first name used for an animal, a book or film, or a business: "class hamster Ruby", "reading
    Matilda by Roald Dahl", "Marcus's Pizza"."""
    before = {fold(t.text) for t in doc[max(0, start - 3):start]}
    if before & PET_WORDS or (start > 0 and fold(doc[start - 1].text) in FICTION_WORDS):
        return True
    after = doc[start + 1:start + 4]
    words = [t for t in after if t.text not in ("'s", "’s", "'", "’")]
    if words and words[0].text[:1].isupper() and fold(words[0].text) in BUSINESS_WORDS:
        return True
    if len(words) >= 2 and words[0].lower_ == "by" and words[1].is_title:
        return True  # "Matilda by Roald Dahl": a title and its author
    if len(words) >= 2 and words[0].lower_ == "the" and fold(words[1].text) in PET_WORDS:
        return True  # "Max the therapy dog"
    return False


def _around(text: str, start: int, end: int) -> str:
    """The sentence around a span, by punctuation: the same whether a parser or the sentencizer set boundaries."""
    left = max(text.rfind(c, 0, start) for c in "!?\n;")
    rights = [i for i in (text.find(c, end) for c in "!?\n;") if i >= 0]
    return text[left + 1:min(rights) if rights else len(text)]


def _age_only(span: Span) -> Span:
    """"Felix is 10 and": the age is the number; the name has its own span."""
    if span[0].is_title and span[0].lower_ not in ("she", "he", "they", "turns", "turned", "turning", "aged", "age"):
        number = next((t for t in span if re.fullmatch(_AGE_NUM, t.lower_)), None)
        if number is not None:
            return span.doc[number.i:number.i + 1]
    return span


def _initial(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]\.?", text))


def _near(span: tuple[int, int] | None, index: int, window: int) -> bool:
    if span is None:
        return False
    start, end = span
    return start - window <= index < end + window
