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
    "vej", "gade", "vei", "gatan", "vägen", "laan", "straat", "plein", "piazza", "viale", "u.", "utca", "út", "útja", "körút", "tér",
]
# street words written after the name and before the house number: "Király u. 15", "Árpád fejedelem útja 3"
POSTFIX_TYPES = ["u.", "utca", "út", "útja", "körút", "tér", "ulica", "ul.", "gasse", "strasse", "straße", "weg", "gata", "gate", "vei", "veien"]
DIRECTIONS = ["n", "s", "e", "w", "ne", "nw", "se", "sw", "north", "south", "east", "west"]
# capitalised words that precede a number in school posts without being a street
NOT_STREET = ["grade", "gr", "room", "div", "division", "period", "team", "class", "section", "block", "group", "science",
              "math", "chem", "bio", "physics", "english", "french", "social", "level", "week", "day", "year", "page",
              "chapter", "unit", "game", "round", "bus", "route", "zoom", "id", "passcode", "code", "episode", "season",
              "grades", "kindergarten", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
              "dec", "january", "february", "march", "april", "june", "july", "august", "september", "october",
              "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# "lives at 846 ...", "the address is ...": what follows on the line is an address when it holds a number
ADDRESS_CUE = re.compile(r"\b(?:lives? (?:at|on)|living (?:at|on)|(?:the )?corner of|address is|address:|address of [^\n.?!]{1,60}? is|located at|office is at|is at|return (?:it )?to|taxi to|sent to|send it to|deliver(?:ed)? to|ship(?:ped)? to|moved to|new address is|it is in|it's in)\s+([^\n?!]{2,90}?)(?=[?!]|\.\s(?!\d)|\.$|\n|$|,\s+(?:please|pls|thanks|thank|and|so|can|could|who|but)\b)", re.I)
UNIT = ["apt", "apt.", "suite", "ste", "ste.", "unit", "#"]
# a phone spelt out digit by digit: "four zero three, five five five, zero one four two"
_DIGIT_WORD = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
_SPELT_GATE = re.compile(r"\b(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)[\s,.-]+(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)\b", re.I)
SPELT_PHONE = re.compile(rf"\b{_DIGIT_WORD}(?:[\s,.-]+{_DIGIT_WORD}){{6,11}}\b", re.I)
# where someone lives, written without a house number: "lives on Larkspur Crescent" (a partial address)
HOME_CUE = re.compile(r"\b(?:lives|living|live|moved|staying)\s+(?:on|at|to|off)\s+(?:the\s+)?$", re.I)


# street words of other languages, written as a suffix of one word (Hammarvägen, Parijsstraat) or before the name
FOREIGN_SUFFIX = r"(vej|vegur|vägen|gatan|gata|gade|straat|strasse|straße|str\.|laan|weg|katu|tie|tee|gasse|utca|ulica|cesta|iela|gatve|veien|vei|stien|vegen|tanya|sokak|caddesi|plein|dreef|kade|gracht|torget|stræde)$"
FOREIGN_PREFIX = ["rue", "via", "viale", "calle", "avda", "avda.", "avenida", "av.", "rua", "piazza", "plaza", "paseo", "camino", "carrer", "largo", "travessa", "chemin", "place", "allée", "corso", "ul", "ul.", "ulica", "rr", "cl."]
# an international phone number the CA/US matcher does not know: digit groups, told apart by a phone word nearby
INTL_PHONE = re.compile(r"(?<![\w.+/-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,8}){1,4}(?![\w/-])")
PHONE_WORDS = re.compile(r"\b(phone|call|calling|tel|telephone|number|cell|mobile|fax|reach|contact|text|sms|whatsapp|dial|ring|answering|registered|ph|mob)\b", re.I)
DATE_LIKE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")
# numbers written the way Europe writes phones, with no country code ("0688 872 49 99", "28-64-66-98"):
# digit groups with separators, 8 to 12 digits; a bare run of digits is a ticket or student number
GROUPED_NUMBER = re.compile(r"(?<![\w.+/#-])(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]\d{2,4}){1,4}(?![\w/-]|[.-]\d)")
STREET_AFTER = re.compile(r"\s+(?:[A-Za-z][\w'-]*\s+){0,3}?(?:" + "|".join(t for t in STREET_TYPES if t.isalpha() and len(t) > 2) + r")\b", re.I)
# regions tried, after the division's own and the US, for such a number (a valid number there is a phone)
FOREIGN_REGIONS = ("GB", "IE", "FR", "DE", "NL", "BE", "LU", "DK", "NO", "SE", "FI", "IS", "IT", "ES", "PT", "CH", "AT", "PL",
                   "CZ", "HU", "GR", "MX", "AU", "NZ", "IN", "PH")
# what a number right after these words is: a meeting ID, a code, an order, a room, never a phone
NOT_PHONE_BEFORE = re.compile(r"(?:\b(?:meeting|webinar|zoom|teams|conference)(?:\s+(?:id|number|no\.?|#))?|\b(?:passcode|pass code|code|pin|password|combo|combination|"
                              r"id|isbn|serial|orders?|invoices?|tickets?|receipts?|account|acct|tracking|confirmation|reference|ref|case|file|policy|"
                              r"suite|ste\.?|apt\.?|unit|rooms?|rm\.?|box|lockers?|seats?|rows?|pages?|lot|scores?|student(?:\s+(?:#|no\.?|number|id))?)|#|\$|€|£)\s*[:#]?\s*$", re.I)


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
        [{"LOWER": {"REGEX": FOREIGN_SUFFIX}}, {"TEXT": {"REGEX": r"^\d{1,5}[A-Za-z]?\.?$"}}],
        [{"LOWER": {"IN": FOREIGN_PREFIX}}, {"TEXT": ".", "OP": "?"}, {"IS_ALPHA": True, "OP": "{1,3}"}, {"TEXT": {"REGEX": r"^\d{1,5}[A-Za-z]?$"}, "OP": "?"}],
        # 20789 Allika 46 / 974 Via Roma 131: house number, a capitalised street name, number
        [house, {"IS_TITLE": True, "IS_ALPHA": True, "LOWER": {"NOT_IN": NOT_STREET}, "OP": "{1,3}"}, {"TEXT": {"REGEX": r"^\d{1,5}[A-Za-z]?$"}}],
        # Király u. 15 / Árpád fejedelem útja 3 / C/ Señores Curas 88
        [{"IS_ALPHA": True, "OP": "{1,3}"}, {"LOWER": {"IN": POSTFIX_TYPES}}, {"TEXT": {"REGEX": r"^\d{1,5}[A-Za-z]?\.?$"}}],
        [{"TEXT": {"IN": ["C/", "c/", "Av.", "Avda."]}}, {"IS_ALPHA": True, "OP": "{1,4}"}, {"TEXT": {"REGEX": r"^\d{1,5}[A-Za-z]?$"}}],
        # military mail: PSC 1234, Box 5678 / Unit 4719 Box 7394 / APO AE 09012
        [{"LOWER": {"IN": ["psc", "unit", "cmr"]}}, {"LIKE_NUM": True}, {"TEXT": ",", "OP": "?"}, {"LOWER": "box"}, {"LIKE_NUM": True}],
        [{"LOWER": {"IN": ["apo", "fpo", "dpo"]}}, {"LOWER": {"IN": ["aa", "ae", "ap"]}}, {"LIKE_NUM": True}],
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
                    if digits < 10 and NOT_PHONE_BEFORE.search(text[max(0, m.start - 30):m.start]):
                        continue  # "Suite 541 6343 ...": a unit and a house number, not a local phone
                    if (m.start, m.end) not in seen and not _overlaps(found, m.start, m.end):
                        seen.add((m.start, m.end))
                        found.append(("PHONE", m.start, m.end))
        addresses: list[tuple[int, int]] = []
        units: list[tuple[int, int]] = []
        # every pattern needs a digit or an '@': most comments have neither, so skip the matcher
        has_digit = any(c.isdigit() for c in text)
        matches = self.matcher(doc) if has_digit or "@" in text else []
        for match_id, start, end in matches:
            label = doc.vocab.strings[match_id]
            span = doc[start:end]
            if label == "EMAIL":
                found.append(("EMAIL", span.start_char, span.end_char))
            elif label == "ADDRESS":
                if not _overlaps(found, span.start_char, span.end_char):
                    addresses.append((span.start_char, span.end_char))
            else:
                units.append((span.start_char, span.end_char))
        if sum(c.isdigit() for c in text) >= 7:
            for m in INTL_PHONE.finditer(text):
                digits = sum(c.isdigit() for c in m.group())
                if 7 <= digits <= 13 and not DATE_LIKE.match(m.group()) and not _overlaps(found, m.start(), m.end()) \
                        and PHONE_WORDS.search(text[max(0, m.start() - 60):m.start()]):
                    found.append(("PHONE", m.start(), m.end()))
        if sum(c.isdigit() for c in text) >= 8:
            found.extend(_foreign_phones(text, found))
        addresses = [a for a in addresses if not _overlaps(found, *a)]
        merged = _merge(addresses)
        for start, end in merged:
            # an apartment or unit right after the street belongs to the address
            for us, ue in units:
                if 0 <= us - end <= 2:
                    end = ue
            found.append(("ADDRESS", start, end))
        for m in (SPELT_PHONE.finditer(text) if _SPELT_GATE.search(text) else ()):
            if not _overlaps(found, m.start(), m.end()):
                found.append(("PHONE", m.start(), m.end()))
        if _LIVING.search(text):
            found.extend(_partial_addresses(text, found))
        for m in ADDRESS_CUE.finditer(text):
            start, end = m.start(1), m.end(1)
            if any(c.isdigit() for c in m.group(1)) and not any(c[0] != "ADDRESS" and c[1] < end and start < c[2] for c in found):
                # one address: the cue's line joined with any street matches it overlaps
                overlapping = [c for c in found if c[0] == "ADDRESS" and c[1] < end and start < c[2]]
                found = [c for c in found if c not in overlapping]
                found.append(("ADDRESS", min([start] + [c[1] for c in overlapping]), max([end] + [c[2] for c in overlapping])))
        # "Apt. 117", "Suite 541" alone are part of an address; "#1", "#23", "Room #12" are numbers
        # (a ranking, a jersey, a room) unless they follow a street, which the merge above joined
        for us, ue in units:
            if _standalone_unit(text[us:ue]) and not _overlaps(found, us, ue):
                found.append(("ADDRESS", us, ue))
        if merged:
            # in an address block, the house number and postcode on their own lines are the address too
            for token in doc:
                if token.like_num and re.fullmatch(r"\d{3,6}", token.text) and _line_edge(doc, token) and not _overlaps(found, token.idx, token.idx + len(token.text)):
                    found.append(("ADDRESS", token.idx, token.idx + len(token.text)))
        doc._.contacts = found
        return doc


def _foreign_phones(text: str, found: list[tuple[str, int, int]]) -> list[tuple[str, str, int, int]] | list:
    """Grouped numbers with no country code that are valid phone numbers of another region.

    The division's own region (and the US) parse first, in the caller; only a number neither
    claims is tried against the other regions, so a local number keeps its local reading."""
    phones = []
    for m in GROUPED_NUMBER.finditer(text):
        raw = m.group()
        digits = sum(c.isdigit() for c in raw)
        if not 8 <= digits <= 12 or DATE_LIKE.match(raw) or _overlaps(found, m.start(), m.end()):
            continue
        if NOT_PHONE_BEFORE.search(text[max(0, m.start() - 30):m.start()]):
            continue
        if re.fullmatch(r"[1-9]\d{0,2}(?:[ .,]\d{3})+|\d{1,3}(?:\.\d{1,3}){3}", raw):
            continue  # "12 345 678": a quantity written with thousands separators; "41.173.96.26": an IP address
        if STREET_AFTER.match(text, m.end()):
            continue  # "3747 3911 Fourth Avenue": house numbers
        if _valid_abroad(raw):
            phones.append(("PHONE", m.start(), m.end()))
    return phones


def _valid_abroad(raw: str) -> bool:
    for region in FOREIGN_REGIONS:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
    return False


_LIVING = re.compile(r"\b(?:lives?|living|moved|staying)\b", re.I)
_NAMED_STREET = re.compile(r"\b(?:[A-Z][\w'-]+\s+){1,3}(?i:" + "|".join(t for t in STREET_TYPES if t.isalpha() and len(t) > 2) + r")\b")


def _partial_addresses(text: str, found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """A street named where someone lives, with no house number: part of a home address."""
    partial = []
    for m in _NAMED_STREET.finditer(text):
        if _overlaps(found, m.start(), m.end()):
            continue
        if HOME_CUE.search(text[max(0, m.start() - 30):m.start()]):
            partial.append(("ADDRESS", m.start(), m.end()))
    return partial


def _standalone_unit(value: str) -> bool:
    """'Apt. 117', 'Suite 541': an address on its own; '#12' or 'unit 4' (of a course) is not."""
    return not value.startswith("#") and not re.fullmatch(r"(?i)unit\s*\d{1,2}", value)


def _line_edge(doc: Doc, token) -> bool:
    before = doc.text[:token.idx].rstrip(" >?\t")
    after = doc.text[token.idx + len(token.text):].lstrip(" \t")
    return before.endswith("\n") or before == "" or after.startswith("\n") or after == "" or (token.i > 0 and doc[token.i - 1].is_upper is False and doc[token.i - 1].is_title and token.i == len(doc) - 1)


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
