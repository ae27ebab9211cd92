"""photo_no_consent and student_tagged: media checked against the roster's media consent.

Names come from the caption, alt text and tags; consent is judged as of the item's created_at.
Faces are only counted (OpenCV Haar cascade from the opencv wheel), never identified, and only
when the image is a local file or a data: URL: nothing is fetched from the network here.
"""
import base64
import re
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from classifiers.base import add
from classifiers.directory import Student
from classifiers.roster import Roster, fold

_VISIBLE = re.compile(r"\b(faces?|smil\w*|grinn\w*|portrait|selfie|posing|poses|recogni[sz]able|identifiable|close-up of (?:a|the) (?:boy|girl|student))\b", re.I)
_HIDDEN = re.compile(r"\b(no (?:people|faces?|students|children|one)|nobody|faces? (?:\w+ )?(?:hidden|covered|blurred|not visible|cropped)|from behind|backs? (?:only|visible|to the camera)|only (?:their )?backs|only hands|hands only|silhouettes?|cropped out|fully covered)\b", re.I)
_PEOPLE = re.compile(r"\b(students?|kids?|children|child|boys?|girls?|teens?|teenagers?|class|classmates|team|players?|actors?|cast|choir|band|kindergarten\w*|grade \d+s?|learners|pupils|athletes|dancers|swimmers|runners|graduates|grads|toddlers?|people|crowd|group)\b", re.I)
_ADULT_ONLY = re.compile(r"\b(adult|staff|teachers?|principal|firefighter|officer|elder|veteran|guest|speaker|superintendent|trustee|mascot|alumn\w+)\b", re.I)
_SINGLE = re.compile(r"\b(selfie of one|a (?:small |young |little )?(?:boy|girl|child|toddler|baby)|our little|my (?:son|daughter|kid|child)|one (?:boy|girl|student|teen\w*))\b", re.I)
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
                    add(doc, "student_tagged", 0.95, None, None, None, "medium")
                    add(doc, "photo_no_consent", 0.95, None, None, None, "medium")
                    flagged = True
        if flagged:
            return doc
        alt = " ".join(m.alt_text or "" for m in item.media)
        faces = [count_faces(m.url) for m in item.media if m.type == "photo"]
        seen_faces = any(f for f in faces if f)
        hidden = bool(_HIDDEN.search(alt)) and not seen_faces
        shows_people = seen_faces or (bool(_VISIBLE.search(alt)) and not hidden) or (not alt.strip() and item.consent_tag != "on-file" and any(f is None for f in faces) and False)
        if hidden or not shows_people:
            return doc
        named = self._named(doc, alt, school)
        bad = [s for s in named if s.consent_on(day) != "yes"]
        if bad:
            add(doc, "photo_no_consent", 0.9, None, None, None, "medium")
            return doc
        students_shown = bool(_PEOPLE.search(alt)) or seen_faces
        if _ADULT_ONLY.search(alt) and not re.search(r"\b(students?|kids|children|boys?|girls?|class)\b", alt, re.I):
            return doc
        if not students_shown:
            return doc
        if item.author.is_account:
            if item.consent_tag != "on-file" and not (named and _SINGLE.search(alt)):
                add(doc, "photo_no_consent", 0.7, None, None, None, "medium")
        else:
            # someone else's media: their own child or their own selfie is fine, other students are not
            if _MANY.search(alt) and not _OWN_CHILD.search(doc.text) and not _SINGLE.search(alt):
                add(doc, "photo_no_consent", 0.7, None, None, None, "medium")
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
        """Students named in the caption (found by the student_pii component) or in the alt text."""
        assert self.roster is not None
        names: list[Student] = []
        text = f"{doc.text}\n{alt}"
        for key, students in self.roster.full.items():
            if re.search(rf"\b{re.escape(key)}\b", fold(text)):
                names.append(students[0])
        for word in set(re.findall(r"\b[A-Z][a-z]+\b", text)):
            local = self.roster.students_named(word, school)
            if len(local) == 1 and fold(word) not in self.roster.staff_first and local[0] not in names:
                # "Ethan V." or "Ethan" alone: unique first name within the posting school
                if not re.search(rf"\b{word} [A-Z][a-z]+", text) or re.search(rf"\b{word} {re.escape(local[0].last_name)}\b", text):
                    names.append(local[0])
        return names
