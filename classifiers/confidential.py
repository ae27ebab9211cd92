"""confidential: credentials and access codes, internal-only information, personnel matters and
student records posted publicly. A password reminder or reset instructions without a value are not.
"""
import re

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from classifiers.base import add
from classifiers.reasons import first_kind

SECRET_WORDS = ["password", "passwd", "pw", "pwd", "passcode", "pass", "code", "pin", "key", "combination", "combo",
                "login", "username", "credentials", "passphrase", "phrase"]
SECRET_KINDS = ["door", "alarm", "entrance", "keypad", "gate", "wifi", "wi-fi", "stream", "streaming", "class", "join", "locker",
                "temp", "temporary", "staff", "admin", "meeting", "access", "lock", "classroom", "server", "teams"]
INTERNAL = re.compile(
    r"\b(don'?t tell (?:the |your )?(?:kids|students|parents|class|classes|families|anyone)|(?:do not|don'?t) share (?:this|it|these|that|the (?:link|code|file|doc\w*|password|list)|outside|with (?:students|parents|families|anyone|the kids|kids))|not for sharing|not to be shared|stays? in (?:the|this) office|please keep (?:it|this) (?:quiet|confidential|private|between us)|"
    r"keep it quiet|between us|staff only|staff-only|internal only|not for (?:public|distribution)|confidential|"
    r"answer key|exam (?:questions|answers)|test answers|(?:midterm|final|exam|quiz|test) (?:answers|questions|key)|"
    r"draft (?:statement|letter|release|response|budget|plan|policy|memo)|termination (?:hearing|meeting|letter)|code (?:word|phrase)|code-word|lockdown drill is|"
    r"performance review|hr file|personnel file|let (?:him|her|them) go|(?:was|got|been) (?:fired|terminated)|disciplinary|on (?:medical|stress|sick|administrative|paid|unpaid) leave|"
    r"medical leave|administrative leave|forced out|was let go|under investigation|pending (?:an |the )?investigation|grievance|"
    r"intervention group|behaviou?r plan|reading at a grade|assessment results|iep goals|"
    # round 11, rule 10: drill phrases named by the drill (d), embargoes and drafts (e), personnel words (f)
    r"(?:pa|drill|lockdown|hold[- ]and[- ]secure|shelter[- ]in[- ]place|evacuation) (?:phrase|code|signal)|"
    r"(?:phrase|code word|signal) for (?:a |the )?(?:hold|lockdown|drill|shelter|evacuation)|"
    r"embargoed|do not distribute|keep (?:this|it) to yourselves|"
    r"(?:conduct|misconduct|workplace|hr) investigation|(?:written|formal) reprimand|received a reprimand)\b", re.I)
# student records posted by staff: marks beside names, seating by student number
STUDENT_NUMBERS = re.compile(r"\bstudent (?:numbers?|no\.?|ids?|#)\b.{0,40}?\b\d{5,9}\b.{0,40}?\b\d{5,9}\b", re.I | re.S)
# seating by student number without those words: "Row A: 300451, 300467, 300488" (round 11, rule 10b)
SEATING = re.compile(r"\b(?:rows?|seats?|seating|desks?|tables?)\b[^.!?\n]{0,40}?\b\d{5,9}\b(?:[,;|/\s]+\d{5,9}\b){2,}", re.I)
MARK = re.compile(r"\b([A-Z][a-z]+)\.?:?\s+\d{1,3}(?:\.\d+)?\s?%")
# "Reading 78%, Math 81%" are a school's results, not a student's
NOT_NAMES = {"reading", "writing", "math", "maths", "mathematics", "science", "english", "french", "social", "studies", "literacy",
             "numeracy", "attendance", "participation", "grade", "grades", "overall", "average", "class", "school", "division",
             "province", "provincial", "test", "exam", "final", "midterm", "quiz", "unit", "term", "semester", "up", "down",
             "about", "over", "under", "only", "nearly", "almost", "approximately", "around", "with", "at", "by", "of", "and",
             "biology", "chemistry", "physics", "history", "art", "music", "band", "gym", "health", "spanish", "cree", "drama"}


def _marks(text: str) -> bool:
    """Marks beside two or more names: a student record, whoever the names belong to."""
    return sum(m.group(1).lower() not in NOT_NAMES for m in MARK.finditer(text)) >= 2


# codes meant for the public (school/README.md): a meeting open to all, a promo code, guest Wi-Fi for
# visitors, a game PIN for a family night (a class's review game's PIN is a class code) (round 11, rule 10a)
PUBLIC_CODE = re.compile(
    r"\b(all (?:parents|families|students|visitors|guests)(?: are)? (?:welcome|invited)|join online|everyone(?: is)? (?:welcome|invited)"
    r"|open to (?:all|the public|everyone|families|the community)|public"
    r"|(?:promo|discount|coupon|offer|referral) code|at checkout|\d{1,2}\s?% off|free shipping|shop (?:online|her|his|our|my)"
    r"|guest (?:wi-?fi|network)|for (?:visitors|guests)|visitor(?:s)? (?:wi-?fi|network)|on the sign"
    r"|play along|(?:family|community|parent) (?:trivia|game|fun|bingo|movie) night)\b", re.I)


@Language.factory("hallwatch_confidential")
class Confidential:
    def __init__(self, nlp: Language, name: str) -> None:
        self.matcher = Matcher(nlp.vocab)
        # a value needs a digit or symbol: "never share your password with anyone" names no password
        # nor is an ordinal: "forgot his locker combo for the 4th time"
        value = {"TEXT": {"REGEX": r"^(?!\d+(?:st|nd|rd|th)$)(?=.*[\d!@#$%^&*_\-])(?=.*[A-Za-z0-9])[^\s]{3,}$"}, "LIKE_URL": False, "LIKE_EMAIL": False}
        secret = {"LOWER": {"IN": SECRET_WORDS}}
        filler = {"LOWER": {"IN": ["is", ":", "=", "-", "—", "to", "now", "changed", "for", "this", "week", "the", "all", "new", "today", "tonight", "'s", "with"]}, "OP": "*"}
        self.matcher.add("SECRET", [
            [secret, filler, value],
            [{"LOWER": {"IN": SECRET_KINDS}}, {"IS_DIGIT": True, "OP": "?"}, secret, filler, {"OP": "{0,6}"}, value],
            # "login for the attendance system is sub_teacher / ...", "PIN for the staff trivia: 5529013"
            [secret, {"OP": "{1,5}"}, {"LOWER": {"IN": ["is", ":", "=", "are"]}}, value],
            # a combination spelt "12-34-08" is split into short numbers
            [{"LOWER": {"IN": ["combo", "combination", "code", "pin"]}}, filler, {"IS_DIGIT": True}, {"ORTH": {"IN": ["-", "/", "."]}}, {"IS_DIGIT": True}],
            [{"LOWER": {"IN": ["combo", "combination", "code", "pin"]}}, {"OP": "{1,6}"}, {"LOWER": {"IN": ["is", ":", "="]}}, {"IS_DIGIT": True}, {"ORTH": {"IN": ["-", "/", "."]}}, {"IS_DIGIT": True}],
            [{"LOWER": {"IN": ["stream"]}}, {"LOWER": "key"}],
            # a locker list: "Locker 112: 24-8-36" (round 11, rule 10c)
            [{"LOWER": "locker"}, {"IS_DIGIT": True}, {"ORTH": {"IN": [":", "-", "—", "="]}, "OP": "?"},
             {"IS_DIGIT": True}, {"ORTH": "-"}, {"IS_DIGIT": True}, {"ORTH": "-"}, {"IS_DIGIT": True}],
            # staff Wi-Fi stated without the word password: "staff wifi changed, new one is Bluejay#Winter26" (rule 10g)
            [{"LOWER": {"IN": ["staff", "admin", "teacher", "teachers", "office"]}}, {"LOWER": {"IN": ["wifi", "wi-fi", "network"]}},
             {"OP": "{0,10}"}, {"LOWER": {"IN": ["is", ":", "="]}}, value],
        ])

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        item = doc._.item
        # the credential patterns all need a secret word and a value with a digit or symbol
        lower = text.lower()
        quick = any(w in lower for w in ("pass", "code", "pin", "key", "login", "combo", "combination", "pw", "phrase", "username", "credential",
                                          "locker", "wifi", "wi-fi", "network"))
        spans = [doc[s:e] for _, s, e in self.matcher(doc)] if quick else []
        secret = [s for s in spans if not _public_code(s, text)]
        if secret:
            # the longest credential is the evidence the moderator sees highlighted
            evidence = max(secret, key=len)
            add(doc, "confidential", 0.9, evidence.start_char, evidence.end_char, None, "high", reason=secret_reason(text, evidence.start_char, evidence.end_char))
        elif _marks(text):
            add(doc, "confidential", 0.8, None, None, None, "high", reason="marks beside students' names: a student record")
        elif STUDENT_NUMBERS.search(text) or SEATING.search(text):
            add(doc, "confidential", 0.8, None, None, None, "high", reason="students listed by student number: a student record")
        elif (internal := _stated(text)) is not None:
            # a parent's own family information is theirs to share
            if not (item is not None and not item.author.is_account and re.search(r"\bmy (?:son|daughter|kid|child)\b", text, re.I)):
                add(doc, "confidential", 0.75, None, None, None, "medium", reason=internal_reason(text))
        return doc


def _public_code(span, text: str) -> bool:
    window = text[max(0, span.start_char - 120): span.end_char + 60]
    return bool(PUBLIC_CODE.search(window)) and not re.search(r"\b(staff|don'?t share)\b", window, re.I)


# the kind of secret, read from the credential and the words just before it
_SECRET_KINDS = (
    (re.compile(r"\bstream(?:ing)?\b", re.I), "a key to the school's live broadcast"),
    (re.compile(r"\b(?:door|alarm|gate|keypad|entrance|lock|building)\b", re.I), "a door or alarm code"),
    (re.compile(r"\b(?:locker|combo|combination)\b", re.I), "a locker combination"),
    (re.compile(r"\bwi-?fi\b", re.I), "a wireless network's password"),
    (re.compile(r"\b(?:meeting|zoom|teams|webinar|passcode)\b", re.I), "a meeting passcode"),
    (re.compile(r"\b(?:login|log-in|username|user name|credentials)\b", re.I), "an account login and its password"),
    (re.compile(r"\b(?:join|class|classroom|google classroom)\b", re.I), "a code to join a class"),
    (re.compile(r"\bpin\b", re.I), "a PIN"),
)
_CLASS_WORDS = re.compile(r"\b(?:class|classroom|students|homework|course|period)\b", re.I)
# the kind of internal-only information, by the words that show it
_INTERNAL_KINDS = (
    (re.compile(r"drill|code[ -](?:word|phrase)|phrase|signal|lockdown|hold[- ]and[- ]secure|shelter|evacuation", re.I), "drill timing or a code word meant for staff"),
    (re.compile(r"draft|embargo|distribute|to yourselves", re.I), "an unreleased draft"),
    (re.compile(r"answer|exam|test|quiz|midterm|final", re.I), "exam content before the exam"),
    (re.compile(r"review|hr file|personnel|let (?:him|her|them) go|fired|terminat|disciplin|leave|forced out|let go|investigat|grievance|suspended|reprimand|probation|demoted|written up", re.I),
     "a staff personnel matter"),
    (re.compile(r"intervention|behaviou?r plan|reading at|assessment|iep", re.I), "a student's support record"),
)


# a sentence ends at ! ? or a line break, or a full stop that does not end a title ("Mr.", "Dr.")
_SENTENCE_END = re.compile(r"[!?\n]|(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)\.(?=\s)")
# a staff member named as disciplined: a personnel matter ("Ms. X is being investigated", "the coach got suspended")
STAFF_DISCIPLINE = re.compile(r"\b(?:(?i:mr|mrs|ms|miss|mx|dr|mme)\.?\s+[A-Z][\w'-]+|(?i:(?:the|our|a|his|her)\s+(?:teacher|coach|principal|vice[- ]principal|vp|custodian|ea|librarian|secretary)))"
                              r"(?i:[^.!?\n]{0,30}?\b(?:is|was|being|been|got|gets|has been|have been)\s+(?:being\s+)?(?:investigated|suspended|reprimanded|disciplined|written up|"
                              r"put on probation|demoted|fired|terminated|let go|placed on leave))\b")
RUMOUR_QUESTION = re.compile(r"^\W*(?:is it true|did|does|has|have|is|was|were|are|any(?:one|body) know|heard|i heard|rumou?r)\b", re.I)


def asks_a_rumour(text: str) -> bool:
    """Whether the text opens by asking about a rumour ("Is Ms. X on leave?", "Did the coach get
    fired?"): the labelling rules leave rumours asked as questions out, and a question about a staff
    member reads to a text model much like the statement it asks about."""
    first = _SENTENCE_END.search(text)
    return bool(first and text[first.start()] == "?" and RUMOUR_QUESTION.search(text[:first.start()]))


def _stated(text: str) -> re.Match | None:
    """An internal-only signal stated as fact; one inside a question ("Is it true Mr. X got fired?") is a
    rumour asked about, which the labelling rules leave out."""
    for m in sorted([*INTERNAL.finditer(text), *STAFF_DISCIPLINE.finditer(text)], key=lambda m: m.start()):
        stops = [e.end() for e in _SENTENCE_END.finditer(text, 0, m.start())]
        sentence_start = stops[-1] if stops else 0
        ends = [i for i in (text.find(c, m.end()) for c in ".!?\n") if i >= 0]
        end = min(ends) if ends else len(text)
        if end < len(text) and text[end] == "?" and RUMOUR_QUESTION.search(text[sentence_start:m.start()]):
            continue
        return m
    return None


def secret_reason(text: str, start: int, end: int) -> str:
    """'a class login and its password', 'a door or alarm code': the kind of credential posted."""
    window = text[max(0, start - 40):end]
    kind = first_kind(_SECRET_KINDS, window, "a password or access code")
    if kind == "an account login and its password" and _CLASS_WORDS.search(text):
        kind = "a class login and its password"
    return f"{kind}, posted where the public can read it"


def internal_reason(text: str) -> str:
    """The most specific kind among the internal-only signals of the text ("between us" + "on leave": personnel)."""
    evidence = " | ".join(m.group() for pattern in (INTERNAL, STAFF_DISCIPLINE) for m in pattern.finditer(text))
    return first_kind(_INTERNAL_KINDS, evidence, "information marked staff-only or not to be shared")
