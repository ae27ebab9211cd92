"""photo_no_consent and student_tagged: media checked against the roster's media consent.

Names come from the caption, alt text and tags; consent is judged as of the item's created_at.
Faces are only counted (OpenCV Haar cascade from the opencv wheel), never identified, and only
when the image is a local file or a data: URL: nothing is fetched from the network here. During a
run the monitor has fetched each photo already and passes its stored file as Media.local_path.
"""
import base64
import re
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from classifiers.base import add
from classifiers.directory import Student
from classifiers.lexicons import WORD_NAMES
from classifiers.roster import Roster, fold

_VISIBLE = re.compile(r"\b(faces?|smil\w*|grinn\w*|portrait|selfie|posing|poses|recogni[sz]able|identifiable|close-up of (?:a|the) (?:boy|girl|student))\b", re.I)
_HIDDEN = re.compile(r"\b(no (?:people|faces?|students|children|one)|nobody|faces? (?:\w+ )?(?:hidden|covered|blurred|not visible|cropped)|from behind|backs? (?:only|visible|to the camera)|only (?:their )?backs|only hands|hands only|silhouettes?|cropped out|fully covered)\b", re.I)
_PEOPLE = re.compile(r"\b(students?|kids?|children|child|boys?|girls?|teens?|teenagers?|class|classmates|team|players?|actors?|cast|choir|band|kindergarten\w*|grade \d+s?|learners|pupils|athletes|dancers|swimmers|runners|graduates|grads|toddlers?|people|crowd|group)\b", re.I)
_ADULT_ONLY = re.compile(r"\b(adult|staff|teachers?|principal|firefighter|officer|elder|veteran|guest|speaker|superintendent|trustee|mascot|alumn\w+)\b", re.I)
_SINGLE = re.compile(r"\b(selfie of one|an? (?:small |young |little |teenage |grade \d{1,2} |kindergarten )?(?:boy|girl|child|toddler|baby|student|teen)\b|our little|my (?:son|daughter|kid|child)|one (?:boy|girl|student|teen\w*))\b", re.I)
_MANY = re.compile(r"\b(students|kids|children|boys|girls|classmates|class|team|players|group|friends|cast|choir|two|three|four|five|six|seven|eight|nine|ten|dozen|\d+ (?:students|kids|children|players))\b", re.I)
_OWN_CHILD = re.compile(r"\b(my|our) (?:little |baby )?(?:son|daughter|kid|child|boy|girl|guy|one|grandson|granddaughter)\b", re.I)


@lru_cache(maxsize=1)
def _cascade():
    import cv2  # imported lazily: only items with readable images need OpenCV

    return cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"))


def count_faces(url: str | None) -> int | None:
    """Faces in a local image (path, file:// or data: URL); None when no image can be read."""
    if not url:
        return None
    import cv2
    import numpy as np

    data: bytes | None = None
    try:
        if url.startswith("data:") and "," in url:
            data = base64.b64decode(url.split(",", 1)[1])
        elif url.startswith(("http://", "https://")):
            return None
        else:
            path = Path(url[7:] if url.startswith("file://") else url)
            data = path.read_bytes() if path.is_file() else None
    except (OSError, ValueError):
        return None
    if not data:
        return None
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None:
        return None
    faces = _cascade().detectMultiScale(image, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24))
    return len(faces)


@Language.factory("hallwatch_photos")
class PhotoConsent:
    def __init__(self, nlp: Language, name: str) -> None:
        self.nlp = nlp
        self.roster: Roster | None = None

    def set_roster(self, roster: Roster) -> None:
        self.roster = roster

    def __call__(self, doc: Doc) -> Doc:
        item = doc._.item
        if item is None or not item.media or self.roster is None:
            return doc
        roster = self.roster
        school = roster.school_of(item.account)
        day = item.created_at_utc.date()
        flagged = False
        for media in item.media:
            for tag in media.tagged:
                student = self._resolve(tag, school)
                if student is not None:
                    consent = _consent_phrase(student, day)
                    add(doc, "student_tagged", 0.95, None, None, None, "medium", reason=f"a student tagged in a photo ({consent})")
                    add(doc, "photo_no_consent", 0.95, None, None, None, "medium",
                        reason=f"a student tagged in a photo: tagging students is never allowed ({consent})")
                    flagged = True
        if flagged:
            return doc
        alt = " ".join(m.alt_text or "" for m in item.media)
        # a name published with the media ties it to the student, whatever the picture shows
        # (their artwork, their project): a refused, lapsed or limited consent is broken by the name
        if not item.author.is_account and _OWN_CHILD.search(doc.text) and not _MANY.search(alt):
            return doc  # a parent's photo of their own child, named or not, is theirs to post
        named = self._named(doc, alt, school)
        bad = [s for s in named if s.consent_on(day) != "yes"]
        if bad:
            add(doc, "photo_no_consent", 0.9, None, None, None, "medium", reason=f"names {_bad_consent_phrase(bad[0], day)}")
            return doc
        faces = [count_faces(m.local_path or m.url) for m in item.media if m.type == "photo"]
        seen_faces = any(f for f in faces if f)
        hidden = bool(_HIDDEN.search(alt)) and not seen_faces
        shows_people = seen_faces or (bool(_VISIBLE.search(alt)) and not hidden)
        if hidden or not shows_people:
            return doc
        students_shown = bool(_PEOPLE.search(alt)) or seen_faces
        if _ADULT_ONLY.search(alt) and not re.search(r"\b(students?|kids|children|boys?|girls?|class)\b", alt, re.I):
            return doc
        if not students_shown:
            return doc
        if self._unlisted_student(doc, alt):
            add(doc, "photo_no_consent", 0.8, None, None, None, "medium",
                reason="names a student who is not on the roster, so no media consent is on file")
            return doc
        if item.author.is_account:
            if item.consent_tag != "on-file" and not (named and _SINGLE.search(alt)):
                reason = ("identifiable students in a photo the account posted, with no media consent asserted"
                          if not named else "identifiable students besides the named one, with no media consent asserted")
                add(doc, "photo_no_consent", 0.7, None, None, None, "medium", reason=reason)
        else:
            # someone else's media: their own child or their own selfie is fine, other students are not
            if _MANY.search(alt) and not _OWN_CHILD.search(doc.text) and not _SINGLE.search(alt):
                add(doc, "photo_no_consent", 0.7, None, None, None, "medium",
                    reason="a photo in a comment shows other students who can be identified")
        return doc

    def _resolve(self, name: str, school: str | None) -> Student | None:
        assert self.roster is not None
        key = fold(name.strip().lstrip("@"))
        key = re.sub(r"[._]+", " ", key)
        found = self.roster.full.get(key)
        if found:
            local = [s for s in found if school is None or s.school == school]
            return (local or found)[0]
        parts = key.split()
        if len(parts) == 1:
            local = self.roster.students_named(parts[0], school)
            if len(local) == 1:
                return local[0]
        return None

    def _named(self, doc: Doc, alt: str, school: str | None) -> list[Student]:
        """Students named in the caption or the alt text (which also describes text in the image).

        A full roster name counts anywhere; a first or preferred name counts when exactly one student
        of the posting school has it (of the division, for a division account) and no staff member of
        that school shares it, in any case but lower case for names that are also words ("Will")."""
        roster = self.roster
        assert roster is not None
        names: list[Student] = []
        text = f"{doc.text}\n{alt}"
        folded = fold(text)
        for key, students in roster.full.items():
            if key in folded and key not in roster.staff_full and re.search(rf"(?<!\w){re.escape(key)}(?!\w)", folded):
                local = [s for s in students if school is None or s.school == school]
                student = (local or students)[0]
                if student not in names:
                    names.append(student)
        for match in _WORD.finditer(text):
            word = match.group()
            key = fold(word)
            if len(key) < 3 or key not in roster.first:
                continue
            if not word[0].isupper() and (key in WORD_NAMES or key in _COMMON_LOWER):
                continue
            if key in WORD_NAMES and word.isupper():
                continue
            local = roster.students_named(key, school)
            if len(local) != 1 or local[0] in names or roster.staff_named(key, school):
                continue
            before = text[:match.start()].rstrip().rsplit(None, 1)
            if before and fold(before[-1]).rstrip(".") in _TITLE_WORDS:
                continue  # "Mr. Ethan": a staff member or a guest
            after = _NEXT_WORD.match(text, match.end())
            if after and fold(after.group(1)) != fold(local[0].last_name) and not _initial(after.group(1)):
                continue  # "Connor McDavid": another person with the same first name
            names.append(local[0])
        return names

    def _unlisted_student(self, doc: Doc, alt: str) -> bool:
        """A person named as a student (beside a grade, "student", "classmate") whom the roster does not know.

        Their consent cannot be on file. Staff, tagged people, guests, alumni and anyone named with
        a title are adults, not students."""
        roster = self.roster
        assert roster is not None
        item = doc._.item
        text = f"{doc.text}\n{alt}"
        if not _PAIR.search(text) or not _STUDENT_CUE.search(text):
            return False
        tagged = {fold(t) for m in item.media for t in m.tagged} if item is not None else set()
        people = self.nlp.get_pipe("ner")(self.nlp.make_doc(text))
        for ent in people.ents:
            if ent.label_ != "PERSON" or len(ent) < 2 or not all(t.is_alpha and t.text[0].isupper() for t in ent):
                continue
            key = fold(ent.text)
            if key in roster.full or key in roster.staff_full or key in tagged or fold(ent[-1].text) in roster.staff_last:
                continue
            # the person's own sentence says who they are ("author", "Coach", "alumna"); the student cue
            # may be anywhere in the caption or alt text ("Way to go, Amelia Chen! Our Grade 6 winner")
            segment = _segment(text, ent.start_char, ent.end_char)
            if not _ADULT_CUE.search(segment) and (_STUDENT_CUE.search(segment) or _STUDENT_CUE.search(text)):
                return True
        return False


# words of a caption, hyphenated names kept whole; an apostrophe ends a word ("Toby's")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_NEXT_WORD = re.compile(r"[ \t]+([A-Z][^\W\d_]*)")
_TITLE_WORDS = {"mr", "mrs", "ms", "miss", "mx", "dr", "mme", "coach", "principal", "sir", "madame", "professor", "prof"}
# first names that are also everyday lower-case words beyond WORD_NAMES
_COMMON_LOWER = {"bob", "sue", "pat", "dash", "guy", "gus", "nick", "sunny", "don", "jean", "sam"}
_PAIR = re.compile(r"\b[A-Z][^\W\d_]+[ \t]+[A-Z][^\W\d_]+")
_STUDENT_CUE = re.compile(r"\b(?:students?|pupils?|classmates?|grade[ -]?\d{1,2}s?|gr\.?[ -]?\d{1,2}|grade (?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)|"
                          r"kindergarten\w*|(?:1st|2nd|3rd|\d{1,2}th)[ -]grader?s?|student of the (?:month|week)|(?:new|exchange|transfer) student)\b", re.I)
_ADULT_CUE = re.compile(r"\b(?:mr|mrs|ms|miss|mx|dr|prof|professor|coach|author|illustrator|guest|speaker|elder|chief|mayor|mla|mp|officer|constable|"
                        r"firefighter|alumn\w*|class of (?:19|20)\d\d|parent|mom|dad|volunteer|chef|trustee|superintendent|principal|teacher|"
                        r"visit\w*|olympian|nhl|nba|mlb|nfl|former|ea|aide|assistant|secretary|custodian|caretaker|librarian|nurse|counsell?or|driver|"
                        r"crossing guard|staff|admin|minister|councill?or|premier|ceo|owner|sponsor|donor|musician|performer|officer|"
                        r"grandparents?|grandma|grandpa|uncle|aunt|farmer|scientist|engineer|doctor|physician|dentist|police|rcmp|"
                        r"welcome(?:s|d)? (?:our|the) new)\b", re.I)


def _segment(text: str, start: int, end: int) -> str:
    """The sentence or line around a span."""
    left = max(text.rfind(c, 0, start) for c in ".!?\n")
    rights = [i for i in (text.find(c, end) for c in ".!?\n") if i >= 0]
    return text[left + 1:min(rights) if rights else len(text)]


def _initial(word: str) -> bool:
    return len(word) == 1 and word.isupper()


def _consent_phrase(student: Student, day) -> str:
    """The tagged student's consent, in words: tagging is never allowed, but the reason says why it matters."""
    consent = student.consent_on(day)
    if consent == "no":
        return "consent lapsed" if student.media_consent != "no" else "media consent refused"
    if consent == "limited":
        return "consent limited: never with the name"
    return "even with media consent on file"


def _bad_consent_phrase(student: Student, day) -> str:
    consent = student.consent_on(day)
    if consent == "limited":
        return "a student whose consent is limited: the image may be used, never with the name"
    if student.media_consent != "no":
        return "a student whose media consent had lapsed when this was posted"
    return "a student whose media consent is refused"
