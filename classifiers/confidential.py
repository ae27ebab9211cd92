"""confidential: credentials and access codes, internal-only information, personnel matters and
student records posted publicly. A password reminder or reset instructions without a value are not.
"""
import re

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from classifiers.base import add

SECRET_WORDS = ["password", "passwd", "pw", "pwd", "passcode", "pass", "code", "pin", "key", "combination", "combo",
                "login", "username", "credentials", "passphrase", "phrase"]
SECRET_KINDS = ["door", "alarm", "entrance", "keypad", "gate", "wifi", "wi-fi", "stream", "class", "join", "locker",
                "temp", "temporary", "staff", "admin", "meeting", "access", "lock", "classroom", "server", "teams"]
INTERNAL = re.compile(
    r"\b(don'?t tell (?:the )?(?:kids|students|parents)|do not share|don'?t share|please keep (?:it|this) (?:quiet|confidential|private|between us)|"
    r"keep it quiet|between us|staff only|staff-only|internal only|not for (?:public|distribution)|confidential|"
    r"answer key|exam (?:questions|answers)|test answers|(?:midterm|final|exam|quiz|test) (?:answers|questions|key)|"
    r"draft (?:statement|letter|release)|code (?:word|phrase)|code-word|lockdown drill is|"
    r"performance review|hr file|personnel file|let (?:him|her|them) go|(?:was|got|been) (?:fired|terminated)|disciplinary|on (?:medical|stress|sick) leave|"
    r"medical leave|forced out|was let go|under investigation|grievance|"
    r"intervention group|behaviou?r plan|reading at a grade|assessment results|iep goals)\b", re.I)
PUBLIC_CODE = re.compile(r"\b(all (?:parents|families) welcome|join online|everyone welcome|open to (?:all|the public)|public)\b", re.I)


@Language.factory("hallwatch_confidential")
class Confidential:
    def __init__(self, nlp: Language, name: str) -> None:
        self.matcher = Matcher(nlp.vocab)
        # a value needs a digit or symbol: "never share your password with anyone" names no password
        value = {"TEXT": {"REGEX": r"^(?=.*[\d!@#$%^&*_\-])(?=.*[A-Za-z0-9])[^\s]{3,}$"}}
        secret = {"LOWER": {"IN": SECRET_WORDS}}
        filler = {"LOWER": {"IN": ["is", ":", "=", "-", "—", "to", "now", "changed", "for", "this", "week", "the", "all", "new", "today", "tonight", "'s", "with"]}, "OP": "*"}
        self.matcher.add("SECRET", [
            [secret, filler, value],
            [{"LOWER": {"IN": SECRET_KINDS}}, secret, filler, {"OP": "{0,6}"}, value],
            [{"LOWER": {"IN": ["stream"]}}, {"LOWER": "key"}],
        ])

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        item = doc._.item
        # the credential patterns all need a secret word and a value with a digit or symbol
        lower = text.lower()
        quick = any(w in lower for w in ("pass", "code", "pin", "key", "login", "combo", "combination", "pw", "phrase", "username", "credential"))
        spans = [doc[s:e] for _, s, e in self.matcher(doc)] if quick else []
        secret = [s for s in spans if not _public_code(s, text)]
        if secret:
            # the longest credential is the evidence the moderator sees highlighted
            evidence = max(secret, key=len)
            add(doc, "confidential", 0.9, evidence.start_char, evidence.end_char, None, "high")
        elif INTERNAL.search(text):
            # a parent's own family information is theirs to share
            if not (item is not None and not item.author.is_account and re.search(r"\bmy (?:son|daughter|kid|child)\b", text, re.I)):
                add(doc, "confidential", 0.75, None, None, None, "medium")
        return doc


def _public_code(span, text: str) -> bool:
    window = text[max(0, span.start_char - 120): span.end_char + 60]
    return bool(PUBLIC_CODE.search(window)) and not re.search(r"\b(staff|don'?t share)\b", window, re.I)
