"""media_inquiry: a reporter, outlet or podcast asking the school for comment, an interview, data,
a quote or permission. Needs both a media signal and an ask; a parent who works in media, a
shared article or a thank-you is not an inquiry.
"""
import re

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from classifiers.base import add
from classifiers.reasons import first_kind

MEDIA_TERMS = [
    "reporter", "reporters", "journalist", "journalists", "journalism", "newsroom", "news desk", "editor",
    "producer", "correspondent", "columnist", "freelance", "freelancer", "freelance writer", "podcast", "podcasts",
    "podcaster", "episode", "tv", "television", "camera crew", "film crew", "filmmaker", "our show", "our station",
    "our paper", "our newspaper", "our readers", "our listeners", "our viewers", "our audience", "our story",
    "a story", "doing a story", "working on a story", "a piece", "writing a piece", "an article", "a feature",
    "feature", "segment", "on deadline", "deadline", "on air", "broadcast", "edition", "news", "radio", "magazine",
    "newspaper", "press", "media", "5pm hit", "6pm hit", "hit", "publication", "blog post", "documentary",
    "coverage", "cbc", "ctv", "global news", "citynews", "radio-canada", "herald", "sun", "post", "times", "weekly",
    "daily", "gazette", "tribune", "ledger", "reporting", "we're reporting", "local paper", "weekly paper",
    "community paper", "campus paper", "student paper", "school paper", "the paper", "news site", "news outlet",
    "outlet", "news team", "news station", "our campus", "our episode", "morning show", "spokesperson",
    "media relations", "media contact", "press office", "comms contact", "today", "journal", "star", "chronicle",
    "examiner", "eagle", "bulletin", "courier",
]
ASK_TERMS = [
    "comment", "comments", "statement", "interview", "interviews", "speak with", "speak to", "talk to", "talk with",
    "chat with", "call me", "call me back", "reach out", "get in touch", "contact", "spokesperson", "confirm",
    "confirmation", "quote", "a quote", "details", "information", "info", "data", "numbers", "figures", "on record",
    "on the record", "your side", "respond", "response", "permission", "embed", "embedding", "use this", "use your",
    "feature", "book", "available", "best person", "who should", "who's the best", "who is the best", "send us",
    "email our", "email me", "dm us", "dm me", "dms are open", "reach", "guest", "invite", "have your", "appear",
    "join", "be on", "come on", "willing", "film", "filming", "footage", "photo", "photos", "video", "b-roll",
    "visit", "questions", "a few questions", "answer", "chat", "conversation", "up for", "sit down", "talk about",
    "speak about", "explain", "say", "discuss", "tell us", "weigh in", "camera", "crew", "record", "checking",
    "share", "enrolment", "enrollment", "stats", "statistics", "records",
]
QUESTION = re.compile(r"\b(?:could|can|would|will|is|are|any|who|who's|where|when|does|do|did|may|might|has|have|should)\b[^?.!\n]{0,200}\?", re.I)
PARENT = re.compile(r"\b(as a (?:dad|mom|mum|parent|father|mother)|asking (?:purely )?as a (?:dad|mom|mum|parent)|not a reporter|reporter'?s (?:mom|mum|dad|wife|husband)|my (?:kid|son|daughter|child)'?s?)\b", re.I)
# the writer says they are the media: then any question or request to the school is an inquiry,
# whatever words it asks with ("can the school say how many...", "may I use the photo...")
SELF_MEDIA = re.compile(
    r"(?i:\b(?:i'?m|i am|we'?re|we are|this is|my name is|i work|i write|i produce|i host|i report)\b[^.?!\n]{0,60}?"
    # outlet names run words together: "CityNews", "660News"
    r"\b(?:reporters?|journalists?|producers?|editors?|correspondents?|columnists?|freelancers?|podcast(?:er)?s?|\w*news|\w*radio|\w*tv|"
    r"television|magazines?|newspapers?|newsroom|news desk|documentary|filmmakers?)\b)"
    r"|(?i:\b(?:working on|writing|doing|putting together|producing|reporting) (?:a|an|this) (?:story|piece|article|feature|segment|report)\b)"
    r"|(?i:\b(?:\w+\s+){0,3}(?:radio|tv|news|television|podcast|magazine|newspaper)\s+here\b)"
    r"|(?i:\bour (?:readers|listeners|viewers|newsroom|station|broadcast|segment|episode|newspaper|publication)\b)"
    # "I write for Today's Parent", "reporter with The Narwhal": the outlet's name is capitalised
    r"|(?i:\bi (?:write|report|produce)|\b(?:reporters?|journalists?|producers?|editors?|writers?|podcasters?))\s+(?i:with|from|at|for)\s+(?:[Tt]he\s+)?[A-Z]")
# the school's own student newspaper, yearbook or broadcast: students of the school, not the media
OWN_PAPER = re.compile(r"\b(?:our\s+(?:own\s+)?(?:school|student)(?:[- ]run)?|(?:the|this|our) school'?s(?:\s+own)?(?:\s+student)?)\s+(?:paper|newspaper|news ?letter|yearbook|news team|broadcast|radio|podcast|magazine)\b", re.I)
# an author display name that is an outlet or signs with one: "CityNews Calgary", "Dana Whitlock | Prairie Ledger"
OUTLET_AUTHOR = re.compile(r"(?i:\b(?:news|newsroom|radio|tv|television|magazine|podcast|herald|gazette|tribune|chronicle|courier|ledger|"
                           r"journal|broadcasting|media|reporter|journalist|correspondent|editor|producer)\b|\w+news\b|\b\d{2,3}(?:\.\d)? ?fm\b)|\s[|@]\s")
# a reader who says where they saw the coverage ("saw this on CTV news", "it was in the paper this
# morning") is its audience, not the outlet: the labelling rules leave parents and shared articles out
READER = re.compile(r"\b(?:saw|seen|read|heard|watched|caught)\s+(?:this|it|that|about (?:this|it|that))\s+(?:on|in)\s+"
                    r"(?:the\s+)?(?:\S+\s+){0,3}?(?:news|paper|newspaper|radio|tv|broadcast|newscast)\b"
                    r"|\b(?:it'?s|it was|this was|that was)\s+(?:all\s+)?(?:on|in)\s+the\s+(?:news|paper)\b", re.I)
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
            [{"LOWER": {"IN": ["looking", "hoping", "wanting", "want", "wanted", "trying", "need", "needed", "like", "love"]}}, {"LOWER": "to"},
             {"LOWER": {"IN": ["speak", "talk", "get", "chat", "reach", "hear", "interview", "confirm", "ask", "check", "verify", "film", "visit", "arrange", "follow", "use", "feature"]}}],
            [{"LOWER": {"IN": ["would", "'d"]}}, {"LOWER": {"IN": ["love", "like", "appreciate"]}}],
            # "Requesting comment on ...", "seeking an interview"
            [{"LOWER": {"IN": ["requesting", "request", "seeking", "asking", "looking"]}}, {"LOWER": {"IN": ["for", "a", "an", "some"]}, "OP": "*"},
             {"LOWER": {"IN": ["comment", "comments", "interview", "statement", "response", "confirmation", "information", "quote", "permission"]}}],
            [{"LOWER": "please"}, {"LOWER": {"IN": ["call", "email", "contact", "reach", "dm", "send", "get"]}}],
            [{"LOWER": {"IN": ["on", "before"]}}, {"LOWER": {"IN": ["deadline", "air"]}}],
            # a reporter chasing an earlier request
            [{"LOWER": {"IN": ["following", "follow", "circling", "checking"]}}, {"LOWER": {"IN": ["up", "back", "in"]}}],
            [{"LOWER": "any"}, {"LOWER": {"IN": ["update", "updates", "word"]}}],
        ])

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        item = doc._.item
        # the school's own posts are not inquiries to it
        if PARENT.search(text) or THANKS.search(text) or OWN_PAPER.search(text) or (item is not None and item.author.is_account):
            return doc
        # a question to the school (regex over the text: a Matcher wildcard this long explodes)
        requests = self.requests(doc) or QUESTION.search(text)
        if requests and SELF_MEDIA.search(text):
            add(doc, "media_inquiry", 0.9, None, None, None, "medium", reason=inquiry_reason(text))
            return doc
        author = item.author.name if item is not None and item.author.name else ""
        if requests and OUTLET_AUTHOR.search(author) and self.ask(doc):
            # an outlet's page commenting as itself ("CityNews Calgary"), a reporter signing "Name | Outlet"
            add(doc, "media_inquiry", 0.8, None, None, None, "medium", reason=inquiry_reason(text, "the author's name is an outlet's"))
            return doc
        media = self.media(doc)
        if not media and not re.search(r"\b[A-Z][\w-]+ here\b", text):
            return doc
        strong = [m for m in media if doc[m[1]:m[2]].text.lower() not in {"sun", "post", "times", "daily", "today", "weekly", "star", "news", "feature", "hit", "journal", "press", "media", "eagle", "edition"}]
        outlet = [m for m in media if doc[m[1]].is_title or doc[m[1]].is_upper]
        asks = self.ask(doc)
        if not requests or not asks:
            return doc
        # "Global Calgary here", "Jordan Reyes with CityNews": an outlet introducing itself
        intro = re.search(r"\b[A-Z][\w-]+(?: [A-Z][\w-]+){0,3} here\b|\b(?:with|from) [A-Z][\w-]+(?: [A-Z][\w-]+){0,3} here\b|"
                          r"\b(?i:writing|reporting|calling|reporter|editor|producer|journalist|writer|host)\s+(?i:for|with|from|at)\s+(?:[Tt]he\s+)?[A-Z]", text)
        if strong or intro or (outlet and re.search(r"\b(here|with|from|for|at)\b", text, re.I)) or any(doc[s:e].text.lower() in {"edition", "hit", "press", "feature"} for _, s, e in media):
            score = 0.9 if strong else 0.75
            add(doc, "media_inquiry", score, None, None, None, "medium", reason=inquiry_reason(text))
        return doc


# what the writer asks for, most specific first (a follow-up on an interview request is a follow-up)
_ASKS = (
    (re.compile(r"\b(?:follow(?:ing)?[ -]up|circling back|checking (?:in|back)|any (?:update|word)|still waiting|haven'?t heard)\b", re.I),
     "follows up on a request to the school"),
    (re.compile(r"\b(?:permission|may (?:i|we) (?:use|share|repost|embed|run)|(?:can|could) (?:i|we) (?:use|share|repost|embed|run)|embed\w*|license|licence|credit)\b", re.I),
     "asks permission to use the school's content"),
    (re.compile(r"\b(?:guest|on (?:the|our) (?:show|podcast|program|programme|episode)|be on|come on|join us on)\b", re.I),
     "invites someone from the school onto a show"),
    (re.compile(r"\b(?:interview\w*|speak (?:with|to)|talk (?:with|to)|chat with|sit down|a few minutes|available to talk)\b", re.I),
     "asks for an interview"),
    (re.compile(r"\b(?:camera|film\w*|footage|b-roll|crew|photos?|pictures?|video|visit)\b", re.I),
     "asks to film, visit or use photos"),
    (re.compile(r"\b(?:numbers|data|figures|stats|statistics|how many|enrol+ment|records|count)\b", re.I),
     "asks the school for data"),
    (re.compile(r"\b(?:confirm\w*|verify|is it true|accurate)\b", re.I),
     "asks the school to confirm something"),
    (re.compile(r"\b(?:comments?|statement|respon\w+|your side|on (?:the )?record|quote)\b", re.I),
     "asks the school for a statement"),
)
# who the writer says they are
_WRITERS = (
    (re.compile(r"\bpodcast\w*\b", re.I), "the writer speaks for a podcast"),
    (re.compile(r"\bmagazines?\b", re.I), "the writer writes for a magazine"),
    (re.compile(r"\bfreelanc\w*\b", re.I), "the writer is a freelance journalist"),
    (re.compile(r"\b(?:student[- ](?:run|journalist|reporter|newspaper|paper|news)|journalism student|campus (?:paper|news))\b", re.I),
     "the writer is a student journalist from outside the school"),
    (re.compile(r"\b(?:newsroom|news desk|station|radio|tv|television|\w+news)\b", re.I), "the writer signs as a newsroom"),
    (re.compile(r"\b(?:reporter|journalist|correspondent|columnist|editor|producer|writer)s?\b", re.I), "the writer says they are a reporter"),
    (re.compile(r"\b(?:herald|ledger|times|post|gazette|tribune|chronicle|courier|examiner|journal|bulletin|record|weekly|daily|star|sun|paper)\b", re.I),
     "the writer signs as a newspaper"),
    (re.compile(r"\b[A-Z][\w-]+(?: [A-Z][\w-]+){0,3} here\b|\b(?:with|from) (?:the )?[A-Z]"), "the writer introduces themselves with an outlet's name"),
)


def inquiry_reason(text: str, writer: str = "") -> str:
    """"asks the school for a statement; the writer signs as a newsroom": the kind of ask and of writer."""
    ask = first_kind(_ASKS, text, "asks the school a question for a story")
    writer = writer or first_kind(_WRITERS, text, "the writer speaks for an outlet")
    return f"{ask}; {writer}"
