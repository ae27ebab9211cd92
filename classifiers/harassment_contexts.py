"""Whole-text contexts for the harassment rules: regexes over the text (not token runs), and the
small word sets `find` checks its spans against.

They name what the labelling rules exclude or add around a match (`../shared/data/school/README.md`):
a lesson or a report quoting abuse, sports talk, slang praise and banter, criticism of a decision,
a safety warning, laughing hyperbole; and the few kinds no token pattern reads well (veiled set
phrases, generalisations about a group). `classifiers.harassment_rules.find` combines them with
its Matcher spans. Word lists describe kinds of language, not particular texts.
"""
from __future__ import annotations

import re

TEACHING = re.compile(r"\b(anti-?bullying|bullying (?:unit|lesson|awareness|prevention)|lesson|kindness|pink ?shirt|hurtful (?:words|names|things)|words (?:like|such as)|names (?:like|such as)|examples? of|we (?:discussed|talked|learned)|students (?:wrote|learned|discussed)|what not to say|upstander|bystander|digital citizenship|words (?:can|do) hurt|stand up (?:to|for))\b", re.I)
REPORT = re.compile(r"\b(?:(?:my|our) (?:son|daughter|child|kid|kids|children|boy|girl|student|grandson|granddaughter|nephew|niece)\b[^.!?]{0,60}\b(?:being|been|was|were|is|keeps|got|gets|getting|has)\b[^.!?]{0,30}\b(?:bullied|called|teased|picked on|harassed|threatened|excluded|mocked|targeted|hit|pushed|shoved)|(?:telling|tells|told|calling|calls|called|bullying|bullies|bullied|teasing|teases|picking on|harassing|harasses|excluding|threatening|threatened|pushing|shoving|hitting|messaging|texting)\s+(?:my|our)\s+(?:son|daughter|child|kid|kids|children|boy|girl|grandson|granddaughter|nephew|niece)\b|(?:report|reporting|reported)\s+(?:bullying|harassment|a threat|an incident)|being bullied|was bullied|cyberbullying (?:incident|case)|(?:messages?|dms?|texts?|comments?|notes?)\s+(?:(?:telling|calling)\s+(?:him|her|them|me|my|our|kids|people|students)|saying|that\s+say|that\s+said)\b|(?:keeps?|kept)\s+(?:messaging|texting|telling|calling|dming|dm'?ing)\s+(?:my|our)\s+(?:friend|friends|sister|brother|cousin|classmate|bestie|bff|son|daughter|kid|child)\b|(?:i|we|i've|we've|i\s+already|we\s+already|already)\s+(?:reported|screenshotted|flagged)\s+(?:it|this|that|them|the|their|his|her)\b|(?:i|we|i've|we've|i\s+already|we\s+already|already)\s+(?:told|showed|messaged|emailed|e-mailed|called)\s+(?:the|a|my|our)\s+(?:office|counsel+or|counsellors|principal|vp|teacher|teachers|admins?|police|rcmp|school|platform|mods?|moderators?)\b)", re.I)
# someone else's words, quoted after the verb or noun that reports them: "someone wrote 'go back
# to your country' on his locker", "a dm saying 'nobody would miss u'", "comments like 'kys'".
# The quoted words are the report's evidence, not said by the writer (rules inside them are dropped,
# the model does not read them); what the writer says outside the quotes is judged as ever.
_REPORTERS = (r"(?:someone|somebody|some\s+\w+|whoever|anyone|anon|people|ppl|kids|boys|girls|he|she|they|"
              r"(?:a|an|another|one|two|three|the|that|this|my|our)\s+(?:[\w-]+\s+){0,2}?(?:group|kid|kids|boy|boys|girl|girls|guy|guys|student|students|"
              r"parent|parents|person|account|acc|acct|dm|message|comment|text|note|sister|brother|son|daughter|friend|classmate|user|troll))")
_SAYS = (r"(?:wrote|writes|write|writing|written|said|says|saying|sent|sends|sending|posted|posts|posting|commented|comments|"
         r"commenting|asked|asks|asking|called|calls|calling|messaged|messaging|texted|texting|dm'?d|dmed|told|tells|telling|"
         r"yelled|yells|yelling|shouted|shouting|screamed|screaming)")
_OPEN = "(?:[\"“‘]|(?<!\\w)')"
QUOTE_REPORT = re.compile(rf"\b{_REPORTERS}\b[^.!?\"“‘]{{0,60}}?\b{_SAYS}\b[^.!?\"“‘]{{0,40}}?{_OPEN}"
                          rf"|\b(?:comments?|messages?|dms?|texts?|posts?|words|things|stuff|phrases|names|notes?|captions?)\s+"
                          rf"(?:like|such\s+as|saying|that\s+said|that\s+say|telling\s+\w+)\W{{0,3}}{_OPEN}", re.I)
SPORTS = re.compile(r"\b(game|games|match|tournament|playoffs?|finals?|semis?|scored?|team|season|rematch|varsity|jv|league|court|field|rink|ice|tonight|friday|saturday|home ?coming|rivals?|championship|bball|basketball|football|hockey|soccer|volleyball|rugby|wrestling|meet)\b", re.I)
# Slang praise ("that dunk was sick", "an animal on the ice", "insanely talented"). A praise word
# followed by "of", "and tired" or "to" someone is a complaint or a charge, not praise: "so sick of
# your whining", "is nasty to everyone" (while "was sick to watch" stays praise).
COMPLIMENT = re.compile(r"\b(?:(?:was|is|so|looked|looks|that|this|absolutely|straight|pure|literally)\s+(?:sick|fire|insane|nasty|filthy|crazy|unreal|lit|dope|wicked|savage|goated|illegal|ridiculous)(?!\s+(?:of|and\s+tired)\b|\s+to\s+(?!(?:watch|see|hear|witness|listen)\b))|(?:a|an|absolute|total|such a)\s+(?:beast|animal|machine|monster|legend|goat|savage|unit|menace|tank|wizard|killer)|(?:crazy|insanely|stupid|stupidly|ridiculously|scary|sick|wicked|mad|hella|absurdly|unreal)\s+(?:talented|good|smart|fast|strong|skilled|gifted|cute|pretty|funny|clutch|quick|accurate)|killed it|killing it|slayed|slaying|ate that|went off|goes hard|hits different|bodied)\b", re.I)
THING_SUBJECTS = re.compile(r"\b(?:stupid|dumb|idiotic|ridiculous|terrible|awful|insane|absurd|pathetic|useless|horrible|worst|bad|poor|shitty|crappy|garbage|joke of an?)\s+(?:decisions?|polic(?:y|ies)|plans?|changes?|rules?|ideas?|moves?|calls?|choices?|schedules?|budgets?)\b|\b(?:decision|decisions|policy|policies|plan|plans|change|changes|rule|rules|schedule|calendar|budget|cuts?|vote|idea|move|system|process|boundary|boundaries|closure|proposal|program|bus(?:sing)? routes?|lunch|menu|homework|curriculum|timetable|fees?|response|communication|handling|announcement|letter|report card|marking|grading|feedback|teaching|coaching|performance|service|leadership|management|refs?|officiating|call|calls)\b(?:[^.!?]{0,30})\b(?:is|are|was|were|seems|sounds|has been|have been|has|is not|isn't|wasn't)\b", re.I)
QUOTED = re.compile(r"[\"“”‘’]([^\"“”‘’]{1,60})[\"“”‘’]|(?<!\w)'([^']{1,40})'(?!\w)")
LISTED = re.compile(r"\b(?:words|names|phrases|insults|things)\s+(?:like|such as)\b|\bexamples? of\b", re.I)
SAFETY = re.compile(r"\b(?:lockdown|drill|hold and secure|shelter in place|safety (?:plan|procedures?|protocol)|emergency procedures?|evacuat\w+|rcmp|police (?:were|are|have))\b", re.I)
AFFECTION = re.compile(r"\b(?:halloween|costumes?|dress[- ]up|cute|adorable|sweet|love|loved|proud|pets?|mascot|farm|zoo|field trip)\b|🎃|❤️|🥰", re.I)
# affection said in words, which turns a mild insult between friends into banter ("ur so dumb lol
# ily", "happy bday loser"); not emoji hearts, which sarcastic put-downs use too ("so brave 🥰"),
# and not "jk", which follows put-downs as often as jokes (round 11, kind 2)
AFFECTION_WORDS = re.compile(r"\b(?:ily|ilysm|ily2|love\s+(?:u|you|ya)(?!\s+(?:but|not))|never\s+change|happy\s+(?:b-?day|birthday)"
                             r"|(?:ur|you're|youre|u\s+r|you\s+are)\s+(?:still\s+)?the\s+best|(?:i'd|id|i\s+would|i'll)\s+(?:still\s+)?take\s+a\s+bullet\s+for)\b", re.I)
SELF = {"i", "we", "i'm", "im", "we're", "myself", "ourselves"}
MILD = {"dumb", "stupid", "annoying", "idiot", "idiots", "loser", "losers", "clown", "clowns", "nerd", "nerds", "dork", "dorks",
        "weirdo", "weirdos", "weird", "fool", "goof", "dummy", "menace"}
# veiled threats in set phrases (round 11, rule 8a): "be a shame if something happened to that
# playground", "a pity if those tires didn't make it", "you've been warned", "tick tock, Marguerite".
# Not "a shame if the lunch program got cut": something or someone must happen, or a thing not make it.
VEILED = re.compile(
    r"\b(?:shame|pity)\s+if\s+(?:(?:something|anything|somebody|someone|anybody|anyone)\b(?:\s+\w+){0,2}?\s+"
    r"(?:happened|happens|happen|keyed|broke|slashed|scratched|smashed|burned|wrecked|damaged|spray-?painted|hit)\b"
    r"|(?:[\w']+\s+){0,5}?(?:didn'?t|did\s+not|never)\s+make\s+it)"
    r"|\byou(?:'ve|\s+have)\s+been\s+warned\b|\bconsider\s+(?:yourself|yourselves|this\s+your)\s+(?:warned|warning)\b"
    r"|\btick[\s-]?tock,?\s+(?:@\w+|you\b|u\b|(?:mr|mrs|ms|dr|coach|principal|trustee|vp)\b|(?-i:[A-Z][a-z]+)[.!]*\s*$)"
    r"|\b(?:some|a\s+few|a\s+couple|a\s+bunch|a\s+lot|plenty)\s+of\s+us\s+(?:will|'ll|are\s+gonna|are\s+going\s+to)\s+be\s+waiting\b", re.I)
# a safety warning, not a threat (rule 8b): "someone is going to get hurt" in the pickup line, with
# nobody doing the hurting and no condition put to the reader ("keep it up and someone gets hurt")
HAZARD = re.compile(r"\b(?:line|lines|traffic|road|roads|highway|crosswalks?|crossing|drop-?off|pick-?up|parking|lot|ice|icy|snow|"
                    r"buses|bus\s+loop|loop|speeding|drivers?|driving|playground|equipment|stairs|hallway|intersection|sidewalks?)\b", re.I)
CONDITION = re.compile(r"\b(?:if\s+(?:you|u|he|she|they)|keep|or\s+else|you'?ll|you\s+will|unless|better|don'?t\s+make)\b", re.I)
# the unnamed subjects of the "someone ... get hurt" threat pattern (harassment_rules._threats)
UNNAMED = {"someone", "somebody", "people", "kids", "teachers", "someone's", "somebody's"}

# discriminatory generalisations about a class, place or disability group (round 11, rule 9): a
# group named by where it lives, its means, its language or its class placement, with a word that
# generalises in the same sentence. The group alone is news ("the kids from the reserve won").
_GROUP = (r"(?:(?:reserve|rez|trailer[\s-]?park|low[\s-]income|welfare|special[\s-]ed|sped)\s+(?:kids|families|people|parents|ones|crew)"
          r"|(?:kids|families|people|parents|ones)\s+(?:from|off|out\s+on|on)\s+(?:the\s+)?(?:reserve|rez|trailer[\s-]?park|low[\s-]income)"
          r"|(?:those|these)\s+(?:people|families)(?!\s+who)|(?:people|kids|families)\s+like\s+(?:that|them|those|him|her)|short[\s-]bus"
          r"|(?:learn|speak|talk)\s+(?:english|normal))")
# not "should", "can't", "don't", "all" or "never": "families from the reserve can't get a bus when
# the road floods" and "all newcomer families welcome" are advocacy and welcome, not generalisation
_GENERAL = (r"(?:always|typical|of\s+course|no\s+wonder|just\s+how|the\s+same|same\s+every|belongs?|shouldn'?t\s+be\s+(?:let|allowed)"
            r"|or\s+go\s+back|every\s+problem|takers|lazy|dirty|broke|stinky|drag\w*|ruin\w*|expect)")
# within one sentence, and at most 120 characters apart: an unbounded gap is quadratic on a giant
# text with no full stop, which anyone can post
GENERALISATION = re.compile(rf"(?:\b{_GROUP}\b[^.!?]{{0,120}}?\b{_GENERAL}\b|\b{_GENERAL}\b[^.!?]{{0,120}}?\b{_GROUP}\b)", re.I)

# a text that laughs or cries at itself: a threat in it with hyperbole's words ("gonna kill u", "ur so
# dead", "burned the school down"), no weapon and no time or place to meet is hyperbole ("im gonna
# kill u 😭😭 if u spoil the finale"), which the labelling rules exclude; the model still reads it.
# A meeting keeps it a threat however it laughs: "see u after school lol ur dead" (round 11, rule 7a)
HYPERBOLE = {"kill", "end", "murder", "dead", "burn", "burned", "burnt"}
MEETING = re.compile(r"\b(?:after|behind|outside|tmrw|tmr|tomorrow|recess|tonight|wait|waiting|hiding|hide|watch|next\s+time"
                     r"|monday|tuesday|wednesday|thursday|friday|weekend|bus\s+stop|parking\s+lot|find\s+(?:u|you|him|her))\b", re.I)
LAUGHING = re.compile(r"\b(?:lmf?a+o+|lol+|ha(?:ha)+h?|he(?:he)+)\b|😂|🤣|😭|💀", re.I)
WEAPONS = re.compile(r"\b(?:gun|guns|knife|bomb|shoot(?:ing)? up|weapon|rifle|pistol)\b", re.I)
