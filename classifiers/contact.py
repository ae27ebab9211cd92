"""Contact details in text: phone numbers (phonenumbers), e-mails and street addresses (spaCy Matcher).

Sets `doc._.contacts` to a list of (label, start_char, end_char) with label PHONE, EMAIL or ADDRESS.
Other components decide whose they are (a student's, the office's, someone else's).
"""

import re

import phonenumbers
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

STREET_TYPES = [
    "street", "st", "avenue", "ave", "av", "road", "rd", "drive", "dr", "boulevard", "blvd", "lane", "ln", "way",
    "court", "ct", "crescent", "cres", "crest", "place", "pl", "trail", "tr", "terrace", "close", "circle", "cir",
    "highway", "hwy", "parkway", "pkwy", "square", "sq", "gate", "grove", "heights", "hill", "hills", "park",
    "point", "rise", "row", "view", "green", "landing", "loop", "manor", "mews", "path", "pike", "plaza", "ridge",
    "run", "walk", "alley", "bay", "common", "commons", "gardens", "route", "rte", "expressway", "freeway",
    "junction", "knoll", "meadow", "meadows", "mount", "pass", "port", "station", "summit", "track", "turnpike",
    "valley", "vista", "wynd", "strasse", "straße", "gasse", "weg", "allee", "katu", "tie", "rue", "via", "calle",
    "vej", "gade", "vei", "gatan", "vägen", "laan", "straat", "plein", "piazza", "viale",
]
DIRECTIONS = ["n", "s", "e", "w", "ne", "nw", "se", "sw", "north", "south", "east", "west"]
UNIT = ["apt", "apt.", "suite", "ste", "ste.", "unit", "#"]


def _address_patterns() -> list[list[dict]]:
    name = {"IS_ALPHA": True, "OP": "{1,4}"}
    house = {"TEXT": {"REGEX": r"^\d{1,6}[A-Za-z]?$"}}
    suffix = {"LOWER": {"IN": STREET_TYPES}}
    dot = {"TEXT": ".", "OP": "?"}
    direction = {"LOWER": {"IN": DIRECTIONS}, "OP": "?"}
    return [
        # 214 Maple Crest SW / 55 Main St. / 6750 Koskikatu 25
        [house, name, suffix, dot, direction],
        # European style: Koskikatu 25, Hauptstraße 7
        [{"LOWER": {"REGEX": r"(katu|tie|strasse|straße|gasse|weg|vej|gade|gatan|vägen|straat|laan)$"}}, house],
        # PO Box 1234
        [{"LOWER": {"IN": ["po", "p.o."]}}, {"LOWER": "box"}, {"LIKE_NUM": True}],
    ]


def _unit_patterns() -> list[list[dict]]:
    return [[{"LOWER": {"IN": UNIT}}, {"TEXT": ".", "OP": "?"}, {"TEXT": {"REGEX": r"^#?\d{1,5}[A-Za-z]?$"}}]]


@Language.factory("hallwatch_contacts")
class ContactFinder:
    def __init__(self, nlp: Language, name: str, region: str = "CA") -> None:
        self.region = region
        self.matcher = Matcher(nlp.vocab)
        self.matcher.add("ADDRESS", _address_patterns())
        self.matcher.add("UNIT", _unit_patterns())
        self.matcher.add("EMAIL", [[{"LIKE_EMAIL": True}]])

    def __call__(self, doc: Doc) -> Doc:
        found: list[tuple[str, int, int]] = []
        text = doc.text
        # phonenumbers only when digits are there at all: the matcher is the slow part
        if sum(c.isdigit() for c in text) >= 7:
            seen: set[tuple[int, int]] = set()
            for region in (self.region, "US"):
                for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
                    digits = sum(c.isdigit() for c in m.raw_string)
                    # a bare 7-digit run is a student or ticket number far more often than a local phone
                    if digits < 10 and not re.fullmatch(r"\d{3}[-. ]\d{4}", m.raw_string):
                        continue
                    if (m.start, m.end) not in seen and not _overlaps(found, m.start, m.end):
                        seen.add((m.start, m.end))
                        found.append(("PHONE", m.start, m.end))
        addresses: list[tuple[int, int]] = []
        units: list[tuple[int, int]] = []
        for match_id, start, end in self.matcher(doc):
            label = doc.vocab.strings[match_id]
            span = doc[start:end]
            if label == "EMAIL":
                found.append(("EMAIL", span.start_char, span.end_char))
            elif label == "ADDRESS":
                if not _overlaps(found, span.start_char, span.end_char):
                    addresses.append((span.start_char, span.end_char))
            else:
                units.append((span.start_char, span.end_char))
        for start, end in _merge(addresses):
            # an apartment or unit right after the street belongs to the address
            for us, ue in units:
                if 0 <= us - end <= 2:
                    end = ue
            found.append(("ADDRESS", start, end))
        doc._.contacts = found
        return doc


def _overlaps(found: list[tuple[str, int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for _, s, e in found)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
