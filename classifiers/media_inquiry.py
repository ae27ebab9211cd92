"""media_inquiry: a reporter, outlet or podcast asking the school for comment, an interview, data,
a quote or permission. Needs both a media signal and an ask; a parent who works in media, a
shared article or a thank-you is not an inquiry.
"""
import re

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from classifiers.base import add

MEDIA_TERMS = [
    "reporter", "reporters", "journalist", "journalists", "journalism", "newsroom", "news desk", "editor", "producer",
    "correspondent", "columnist", "freelance", "freelancer", "freelance writer", "podcast", "podcasts", "episode",
    "our show", "our station", "our paper", "our newspaper", "our readers", "our listeners", "our viewers", "our audience",
    "our story", "a story", "doing a story", "working on a story", "a piece", "writing a piece", "an article", "a feature",
    "feature", "segment", "on deadline", "deadline", "on air", "broadcast", "edition", "news", "radio", "magazine",
    "newspaper", "press", "media", "5pm hit", "6pm hit", "hit", "publication", "blog post", "documentary", "coverage",
    "cbc", "ctv", "global news", "citynews", "radio-canada", "herald", "sun", "post", "times", "weekly", "daily",
    "gazette", "tribune", "spokesperson", "media relations", "media contact", "press office", "comms contact", "today", "journal", "star", "chronicle", "examiner", "eagle", "bulletin", "courier",
]
ASK_TERMS = [
    "comment", "comments", "statement", "interview", "interviews", "speak with", "speak to", "talk to", "talk with",
    "chat with", "call me", "call me back", "reach out", "get in touch", "contact", "spokesperson", "confirm",
    "confirmation", "quote", "a quote", "details", "information", "info", "data", "numbers", "figures", "on record",
    "on the record", "your side", "respond", "response", "permission", "embed", "embedding", "use this", "use your",
    "feature", "book", "available", "best person", "who should", "who's the best", "who is the best", "send us",
    "email our", "email me", "dm us", "dm me", "dms are open", "reach", "guest", "invite", "have your", "appear",
]
QUESTION = re.compile(r"\b(?:could|can|would|will|is|are|any|who|who's|where|when)\b[^?.!\n]{0,200}\?", re.I)
PARENT = re.compile(r"\b(as a (?:dad|mom|mum|parent|father|mother)|asking (?:purely )?as a (?:dad|mom|mum|parent)|not a reporter|reporter'?s (?:mom|mum|dad|wife|husband)|my (?:kid|son|daughter|child)'?s?)\b", re.I)
THANKS = re.compile(r"\b(thanks|thank you|thx)\b.*\b(story|article|piece|segment)\b.*\b(is (?:now )?(?:live|up|out)|aired|published)\b", re.I)


@Language.factory("hallwatch_media_inquiry")
class MediaInquiry:
    def __init__(self, nlp: Language, name: str) -> None:
        self.media = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.media.add("MEDIA", [nlp.make_doc(t) for t in MEDIA_TERMS])
        self.ask = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.ask.add("ASK", [nlp.make_doc(t) for t in ASK_TERMS])
        self.requests = Matcher(nlp.vocab)
        # a request addressed to the school: could/can/would ... ?, we'd love / we'd like / looking to
        self.requests.add("REQUEST", [
            [{"LOWER": {"IN": ["we", "i"]}}, {"LOWER": {"IN": ["'d", "would"]}}, {"LOWER": {"IN": ["love", "like"]}}],
            [{"LOWER": {"IN": ["looking", "hoping", "wanting", "want"]}}, {"LOWER": "to"}, {"LOWER": {"IN": ["speak", "talk", "get", "chat", "reach", "hear", "interview"]}}],
            [{"LOWER": "please"}, {"LOWER": {"IN": ["call", "email", "contact", "reach", "dm", "send", "get"]}}],
            [{"LOWER": {"IN": ["on", "before"]}}, {"LOWER": {"IN": ["deadline", "air"]}}],
        ])

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        if PARENT.search(text) or THANKS.search(text):
            return doc
        media = self.media(doc)
        if not media and not re.search(r"\b[A-Z][\w-]+ here\b", text):
            return doc
        strong = [m for m in media if doc[m[1]:m[2]].text.lower() not in {"sun", "post", "times", "daily", "today", "weekly", "star", "news", "feature", "hit", "journal", "press", "media", "eagle", "edition"}]
        outlet = [m for m in media if doc[m[1]].is_title or doc[m[1]].is_upper]
        asks = self.ask(doc)
        # a question to the school (regex over the text: a Matcher wildcard this long explodes)
        requests = self.requests(doc) or QUESTION.search(text)
        if not requests or not asks:
            return doc
        # "Global Calgary here", "Jordan Reyes with CityNews": an outlet introducing itself
        intro = re.search(r"\b[A-Z][\w-]+(?: [A-Z][\w-]+){0,3} here\b|\b(?:with|from) [A-Z][\w-]+(?: [A-Z][\w-]+){0,3} here\b", text)
        if strong or intro or (outlet and re.search(r"\b(here|with|from|for|at)\b", text, re.I)) or any(doc[s:e].text.lower() in {"edition", "hit", "press", "feature"} for _, s, e in media):
            score = 0.9 if strong else 0.75
            add(doc, "media_inquiry", score, None, None, None, "medium")
        return doc
