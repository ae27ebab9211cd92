"""GatedMatcher: spaCy Matcher patterns run only on docs that hold the words they need.

spaCy's Matcher costs time for every token on every call, and most comments hold none of the
words a rule is about (an insult, a harm verb, "grade"). A pattern cannot match unless each of its
non-optional `{"LOWER": {"IN": [...]}}` tokens finds its word, so patterns are grouped by those
required word lists, one Matcher per group, and a group runs only when the doc has a word from
each list. Matches are exactly those of one Matcher holding every pattern, in (start, end) order.

    matcher = GatedMatcher(nlp.vocab, {"THREAT": patterns, ...})
    for label, start, end in matcher(doc): ...

Word lists are written as people write the words: "don't", "you're", "gonna", "pre-k". spaCy's
tokenizer splits those ("do" "n't", "gon" "na", "pre" "-" "k"), so a list entry that is several
tokens could never equal one token; `split_words` rewrites each such entry as its token sequence.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import spacy
from spacy.attrs import LOWER
from spacy.matcher import Matcher
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.vocab import Vocab

# Word sets hold spaCy string hashes, as in a doc's LOWER array: building a Python Token per word
# to read its text costs more than the gates save.
Words = frozenset[int]


def hashes(words: Iterable[str]) -> Words:
    return frozenset(get_string_id(w) for w in words)


def words_of(doc: Doc) -> set[int]:
    """The doc's lowercased words, as string hashes."""
    return set(doc.to_array(LOWER).tolist())


def required_words(pattern: list[dict]) -> frozenset[Words]:
    """The word lists a pattern cannot match without: its non-optional `LOWER IN [...]` tokens."""
    return frozenset(hashes(token["LOWER"]["IN"]) for token in pattern
                     if set(token) == {"LOWER"} and isinstance(token["LOWER"], dict) and set(token["LOWER"]) == {"IN"})


def could_match(required: frozenset[Words], words: set[int]) -> bool:
    return all(not listed.isdisjoint(words) for listed in required)


@lru_cache(maxsize=None)
def _tokens(word: str) -> tuple[str, ...]:
    """The tokens `word` becomes in running text: one, or the run it is split into. A clitic is
    one token after its host ("'m" in "i'm", "n't" in "don't"), though alone it would split."""
    tokenizer = _tokenizer()
    for host in ("x ", "i", "you", "do", "it"):
        if any(t.lower_ == word for t in tokenizer(f"{host}{word} x")):
            return (word,)
    return tuple(t.lower_ for t in tokenizer(f"x {word} x"))[1:-1]


@lru_cache(maxsize=1)
def _tokenizer():
    # the English tokenizer rules, which the pipeline's model uses unchanged
    return spacy.blank("en").tokenizer


def _alternatives(token: dict) -> list[list[dict]]:
    """The token runs that can stand for one pattern token whose word list holds multi-token words."""
    words = token.get("LOWER", {}).get("IN") if isinstance(token.get("LOWER"), dict) else None
    split = [_tokens(w) for w in words or () if len(_tokens(w)) > 1]
    op = token.get("OP")
    if not split or op == "!":
        return [[token]]
    if op not in (None, "?"):
        # a repeated filler token: its parts may fill the repetition ("so two - faced")
        return [[{**token, "LOWER": {"IN": list(dict.fromkeys(words + [t for parts in split for t in parts]))}}]]
    runs = [[token]]  # the single-token words stay: "Y'all" and "DON'T" are one token
    runs += [[{"LOWER": {"IN": [part]}} for part in parts] for parts in dict.fromkeys(split)]
    if op == "?":
        runs.append([])
        runs[0] = [{k: v for k, v in token.items() if k != "OP"}]
    return runs


def split_words(patterns: list[list[dict]]) -> list[list[dict]]:
    """Each pattern, with every multi-token word of a `LOWER IN` list rewritten as its tokens."""
    out: list[list[dict]] = []
    for pattern in patterns:
        for runs in itertools.product(*(_alternatives(token) for token in pattern)):
            variant = [t for run in runs for t in run]
            if variant and variant not in out:
                out.append(variant)
    return out


# words nearly every comment has: poor keys for finding the groups a comment could match
_COMMON = hashes(["is", "are", "was", "be", "'s", "you", "u", "he", "she", "they", "him", "her", "them", "his", "their",
                  "the", "a", "an", "that", "this", "your", "i", "we", "it", "to", "and", "of", "not", "so", "in", "on",
                  "for", "my"])


def _key(required: frozenset[Words]) -> Words:
    """The required list least likely to be in a comment (fewest common words, then longest)."""
    return min(required, key=lambda listed: (len(listed & _COMMON) / len(listed), -len(listed), sorted(listed)))


@dataclass(frozen=True)
class _Group:
    matcher: Matcher
    required: frozenset[Words]


class GatedMatcher:
    def __init__(self, vocab: Vocab, patterns: dict[str, list[list[dict]]]) -> None:
        by_required: dict[frozenset[Words], dict[str, list[list[dict]]]] = {}
        for label, members in patterns.items():
            for pattern in split_words(members):
                by_required.setdefault(required_words(pattern), {}).setdefault(label, []).append(pattern)
        self.groups: list[_Group] = []
        self.always: list[int] = []  # groups with no required word run on every doc
        self.index: dict[int, list[int]] = {}  # each group's key word -> the group
        for number, (required, labelled) in enumerate(by_required.items()):
            matcher = Matcher(vocab)
            for label, members in labelled.items():
                matcher.add(label, members)
            self.groups.append(_Group(matcher, required))
            if not required:
                self.always.append(number)
                continue
            for word in _key(required):
                self.index.setdefault(word, []).append(number)

    def __call__(self, doc: Doc, words: set[int] | None = None) -> list[tuple[int, int, int]]:
        """(label id, start, end) for every match, sorted by start, end and label."""
        if words is None:
            words = words_of(doc)
        candidates = set(self.always)
        for word in words:
            candidates.update(self.index.get(word, ()))
        found = []
        for number in candidates:
            group = self.groups[number]
            if could_match(group.required, words):
                found.extend(group.matcher(doc))
        # two groups can match the same span; one Matcher would report it once
        return sorted(set(found), key=lambda m: (m[1], m[2], m[0]))
