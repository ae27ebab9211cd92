"""harassment: the trained text model (harassment_model.py) plus rules for threats and targeted abuse.

The rules catch what tweets rarely teach a model: veiled threats ("watch your back", "I know where
you live"), pile-ons and exclusion. Insults quoted for teaching (an anti-bullying lesson) are
masked before scoring, and sports trash talk is discounted.
"""
import re

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

_YOU = ["you", "u", "ur", "your", "you're", "youre", "yall", "y'all", "ya"]
INSULTS = [
    "idiot", "idiots", "moron", "morons", "loser", "losers", "scumbag", "scumbags", "creep", "creeps", "predator",
    "predators", "trash", "garbage", "freak", "freaks", "psycho", "psychos", "ugly", "fat", "bitch", "b*tch", "b!tch",
    "coward", "liar", "liars", "parasite", "parasites", "groomer", "groomers", "snake", "weirdo", "weirdos", "disgusting",
    "pig", "pigs", "stupid", "dumb", "retard", "retarded", "slut", "whore", "skank", "cunt", "dick", "asshole", "a**hole",
    "jerk", "pathetic", "worthless", "useless", "incompetent", "clown", "clowns", "monster", "spineless", "lazy",
    "overpaid", "washed-up", "has-been", "dirtbag", "scum", "pervert", "perv", "hag", "witch", "fatass", "loner",
    "lying", "crook", "crooks", "thief", "thieves", "brainwashing", "degenerate", "degenerates", "vermin", "animals",
]
TEACHING = re.compile(r"\b(anti-bullying|bullying unit|lesson|students wrote|kindness|pink ?shirt|hurtful (?:words|things)|examples? of|we discussed|rewrote|what not to say)\b", re.I)
SPORTS = re.compile(r"\b(game|match|tournament|playoffs?|finals?|score|team|win|beat|vs\.?|tonight|friday|season|go \w+!*)\b", re.I)
_QUOTED = re.compile(r"[\"“”'‘’]([^\"“”'‘’]{2,60})[\"“”'‘’]")


def threat_patterns() -> list[list[dict]]:
    you = {"LOWER": {"IN": _YOU + ["him", "her", "them", "he", "she"]}}
    return [
        [{"LOWER": "watch"}, {"LOWER": {"IN": ["ur", "your", "you're", "his", "her", "yo"]}}, {"LOWER": "back"}],
        [{"LOWER": {"IN": ["better", "should"]}}, {"LOWER": "watch"}, {"LOWER": {"IN": ["yourself", "urself", "out", "himself", "herself"]}}],
        [{"LOWER": {"IN": ["i", "we"]}}, {"LOWER": "know"}, {"LOWER": "where"}],
        [{"LOWER": {"IN": ["gonna", "going", "gon"]}}, {"LOWER": "to", "OP": "?"}, {"LOWER": {"IN": ["jump", "hurt", "kill", "beat", "stab", "shoot", "find", "get", "end", "smash", "punch", "fight"]}}, you],
        [{"LOWER": {"IN": ["kill", "shoot", "stab", "hang", "hurt", "burn"]}}, you],
        [{"LOWER": {"IN": ["burns", "burn"]}}, {"LOWER": "down"}],
        [{"LOWER": {"IN": ["run", "ran", "chased", "driven"]}}, {"LOWER": "out"}, {"LOWER": "of"}, {"LOWER": "town"}],
        [{"LOWER": {"IN": ["hope", "wish"]}}, {"OP": "{0,6}"}, {"LOWER": {"IN": ["dies", "die", "dead", "burns", "burn", "killed", "hit"]}}],
        [{"LOWER": {"IN": ["after", "outside"]}}, {"LOWER": "school"}, {"OP": "{0,4}"}, {"LOWER": {"IN": ["jump", "fight", "beat", "get"]}}],
        [{"LOWER": {"IN": ["jump", "beat", "fight"]}}, you, {"OP": "{0,4}"}, {"LOWER": {"IN": ["after", "by", "at", "behind"]}}],
        [{"LOWER": "you"}, {"LOWER": {"IN": ["'ll", "will"]}}, {"LOWER": "regret"}],
        [{"LOWER": {"IN": ["bomb", "shoot", "shooting"]}}, {"LOWER": {"IN": ["up", "the"]}}, {"LOWER": {"IN": ["school", "place", "board", "office"]}}],
        [{"LOWER": {"IN": ["put", "send", "throw"]}}, {"LOWER": {"IN": ["you", "him", "her", "them"]}}, {"LOWER": "in"}, {"LOWER": {"IN": ["the", "a"]}}, {"LOWER": {"IN": ["hospital", "ground", "grave", "ditch"]}}],
    ]


def abuse_patterns() -> list[list[dict]]:
    insult = {"LOWER": {"IN": INSULTS}}
    return [
        # "you are a lying scumbag", "ur so ugly", "X is a creep"
        [{"LOWER": {"IN": _YOU + ["is", "are", "r", "'re", "'s", "such", "so"]}}, {"OP": "{0,3}"}, insult],
        [insult, {"LOWER": {"IN": ["like", "as"]}}, {"LOWER": {"IN": ["you", "u", "him", "her"]}}],
        # exclusion and pile-ons
        [{"LOWER": {"IN": ["nobody", "no", "everyone", "everybody"]}}, {"LOWER": {"IN": ["one", "wants", "likes", "hates", "sits"]}, "OP": "?"}, {"LOWER": {"IN": ["wants", "likes", "hates", "sits", "cares", "knows"]}}],
        [{"LOWER": {"IN": ["go", "everyone", "everybody", "let's", "lets"]}}, {"OP": "{0,2}"}, {"LOWER": {"IN": ["spam", "report", "roast", "expose", "make"]}}],
        [{"LOWER": {"IN": ["delete", "kill"]}}, {"LOWER": {"IN": ["ur", "your", "yourself", "urself", "account"]}}],
        [{"LOWER": "send"}, {"LOWER": "them"}, {"LOWER": "back"}],
        [{"LOWER": {"IN": ["make", "made"]}}, {"LOWER": {"IN": ["him", "her", "them"]}}, {"LOWER": "cry"}],
        [{"LOWER": {"IN": ["fire", "sack"]}}, {"LOWER": {"IN": ["him", "her", "them", "every", "all"]}}, {"OP": "{0,4}"}, insult],
    ]


@Language.factory("hallwatch_harassment_rules")
class HarassmentRules:
    def __init__(self, nlp: Language, name: str) -> None:
        self.threats = Matcher(nlp.vocab)
        self.threats.add("THREAT", threat_patterns())
        self.abuse = Matcher(nlp.vocab)
        self.abuse.add("ABUSE", abuse_patterns())

    def __call__(self, doc: Doc) -> Doc:
        teaching = bool(TEACHING.search(doc.text))
        if teaching:
            doc._.threat = False
            doc.user_data["abuse"] = False
            return doc
        doc._.threat = bool(self.threats(doc))
        doc.user_data["abuse"] = bool(self.abuse(doc))
        return doc


def model_text(text: str) -> str:
    """What the model scores: quoted insults in a lesson are not said to anyone."""
    if TEACHING.search(text):
        return _QUOTED.sub(" ", text)
    return text


def combine(doc: Doc, model_score: float) -> tuple[float, str] | None:
    """Model score and rules -> (score, severity), or None when not harassment."""
    if doc._.threat:
        return max(model_score, 0.9), "high"
    abuse = bool(doc.user_data.get("abuse"))
    score = model_score
    if TEACHING.search(doc.text):
        score *= 0.5
    elif SPORTS.search(doc.text) and not abuse:
        score *= 0.7
    if abuse:
        score = max(score, 0.75)
    return (round(score, 3), "medium") if score >= THRESHOLD else None


THRESHOLD = 0.6
