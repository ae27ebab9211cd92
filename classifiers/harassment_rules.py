"""spaCy Matcher rules for harassment: threats, targeted abuse, exclusion, pile-ons, defamation,
judged with the contexts the labelling rules exclude (lessons, reports, sports, compliments,
criticism, banter, hyperbole: `classifiers.harassment_contexts`).

Word lists describe kinds of language, not particular texts; every list is small and generic.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from classifiers.gated import GatedMatcher, could_match, hashes, required_words, split_words, words_of
from classifiers.harassment_contexts import (
    AFFECTION, AFFECTION_WORDS, COMPLIMENT, CONDITION, GENERALISATION, HAZARD, HYPERBOLE, LAUGHING, LISTED, MEETING, MILD,
    QUOTE_REPORT, QUOTED, REPORT, SAFETY, SELF, SPORTS, TEACHING, THING_SUBJECTS, UNNAMED, VEILED, WEAPONS,
)

YOU = ["you", "u", "ur", "you're", "youre", "ya", "yall", "y'all", "yourself", "urself", "ye"]
OBJ = YOU + ["him", "her", "them", "he", "she", "they", "ya"]
EXCLUDED = ["you", "u", "ya", "yall", "y'all", "him", "her", "them", "ur", "your"]
HARMED = [w for w in OBJ if w not in ("yourself", "urself")]  # "kill yourself" is a pile-on, not a threat
SUBJ3 = ["he", "she", "they", "his", "her", "their"]  # not "this"/"that": "this is disgusting" aims at nothing
PEOPLE = ["kid", "kids", "student", "students", "teacher", "teachers", "coach", "coaches", "principal", "trustee", "trustees",
          "superintendent", "parent", "parents", "mom", "dad", "mother", "father", "family", "girl", "girls", "boy", "boys",
          "guy", "guys", "man", "woman", "women", "men", "people", "staff", "admin", "admins", "child", "children", "son",
          "daughter", "brother", "sister", "friend", "friends", "immigrants", "refugees", "bitch", "dude", "lady", "ladies",
          "educators", "board", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "sir", "class", "grade", "freshman", "freshmen"]
PERSON_INSULTS = """idiot moron loser scumbag creep predator freak psycho bitch coward liar parasite groomer weirdo retard slut
whore skank cunt dick asshole jerk clown dirtbag pervert perv hag fatass crook thief degenerate dumbass jackass bastard twat
prick douche douchebag imbecile hypocrite pedo pedophile paedophile tramp hoe thot fraud bully lowlife
scum vermin loner freakshow psychopath sociopath maniac lunatic wanker b*tch f*ggot faggot
fag dyke tranny retard spaz simp incel poser wannabe tryhard reject sellout dweeb fatso fatty hobo pick-me
attention-seeker crybaby snitch bozo clout-chaser""".split()
PERSON_INSULTS += [w + "s" for w in PERSON_INSULTS]
# words that are insults only when said of a person: "our class pet is a rat", "little monsters" at Halloween
FIGURATIVE = """snake pig rat cow witch animal tool clown monster dog whale nerd dork fool karen""".split()
FIGURATIVE += [w + "s" for w in FIGURATIVE]
ADJ_INSULTS = """ugly fat stupid dumb pathetic worthless useless incompetent lazy disgusting gross annoying fake two-faced creepy
retarded spineless brainless clueless ignorant hideous smelly trashy braindead psycho weird evil corrupt overpaid
washed-up unbearable lame cringe cringy irrelevant desperate repulsive revolting obese fugly dumber ugliest fattest dumbest stupidest""".split()
PERFORMANCE = ["incompetent", "useless", "lazy", "overpaid", "clueless", "corrupt", "ignorant", "weird", "annoying", "washed-up"]
THING_INSULTS = ["trash", "garbage", "joke", "disgrace", "failure", "embarrassment", "waste", "mess"]
PROFANE = ["fucking", "f*cking", "f***ing", "freaking", "effing", "damn", "bloody", "absolute", "total", "complete", "little",
           "big", "fat", "ugly", "stupid", "dumb", "lazy", "useless", "such", "a", "an", "the", "so", "really", "actually",
           "literally", "just", "fr", "lowkey", "a**", "mentally", "ill", "sick", "filthy", "lying", "fake", "two-faced", "worthless"]
BE = ["is", "are", "was", "were", "be", "'s", "'re", "r", "s", "re", "am", "'m", "being", "been", "looks", "look", "acts", "sounds"]
GROUPS = ["immigrants", "immigrant", "refugees", "muslims", "muslim", "jews", "jewish", "blacks", "gays", "gay", "trans",
          "transgender", "mexicans", "indians", "natives", "asians", "chinese", "arabs", "africans", "women", "girls",
          "foreigners", "lesbians", "homosexuals", "queers", "indigenous", "newcomers", "sikhs", "hindus"]
ANY = {"OP": "?"}
DISGUST = ["sick", "puke", "vomit", "throw", "gag", "barf", "nauseous", "spew", "hurl"]
BEATINGS = ["beat", "kick", "knock", "punch", "slap", "smack", "whoop", "choke", "pound", "stomp", "bash", "smash", "beating", "kicking"]
BODY = ["face", "head", "legs", "leg", "neck", "teeth", "jaw", "nose", "ass", "skull", "arms", "arm", "fingers", "knees", "butt", "ribs"]


def _l(words: list[str]) -> dict:
    return {"LOWER": {"IN": words}}


def _threats() -> list[list[dict]]:
    obj = _l(HARMED + ["yo"])
    na = {"LOWER": {"IN": ["na", "ta"]}, "OP": "?"}  # spaCy splits "gonna" into "gon" + "na"
    harm = ["jump", "hurt", "kill", "beat", "stab", "shoot", "smash", "punch", "fight", "end", "murder", "strangle", "choke",
            "slap", "break", "wreck", "bash", "cut", "burn", "rape", "drown", "hunt", "find", "catch", "shank", "pound"]
    return [
        [_l(["watch", "watchin"]), _l(["ur", "your", "yo", "his", "her", "their"]), _l(["back", "mouth", "step"])],
        [_l(["better", "should", "gonna", "wanna"]), _l(["watch"]), _l(["yourself", "urself", "himself", "herself", "it", "ur", "your"])],
        # "I know where you live", "we know where his house is", "I know where the board office is"
        [_l(["i", "we", "i've", "we've"]), ANY, _l(["know", "knows", "found", "find"]), _l(["where"]), _l(HARMED + ["your", "his", "their"]), ANY, _l(["live", "lives", "sleep", "sleeps", "work", "works", "park", "parks", "go", "goes", "hang", "house", "home", "car", "kids", "family"])],
        [_l(["i", "we", "i've", "we've"]), ANY, _l(["know", "knows", "found"]), _l(["where"]), _l(["the", "your", "his", "her", "their", "ur"]), {"OP": "{0,2}"}, _l(["office", "house", "home", "car", "kids", "family", "daughter", "son", "wife", "husband", "address", "locker"])],
        [_l(["gonna", "going", "gon", "will", "'ll", "ll", "finna", "bout", "about", "wanna", "want"]), _l(["to"]), _l(harm), obj],
        [_l(["gonna", "gon", "will", "'ll", "ll", "finna", "wanna", "wan", "i'll", "ima", "imma", "got", "gotta"]), na, _l(harm), obj],
        [_l(["kill", "shoot", "stab", "hang", "hurt", "burn", "strangle", "choke", "rape", "murder", "shank"]), _l(HARMED)],
        # "beat the crap out of you", "knock the teeth out of his mouth"
        [_l(BEATINGS), {"OP": "{0,3}"}, _l(["out"]), _l(["of"]), _l(HARMED + ["yo", "your", "ur", "his"])],
        # "gonna break your face", "I'll smash his head in": harm to a body part, said as intent
        [_l(["gonna", "gon", "na", "will", "'ll", "ll", "finna", "imma", "ima", "i'll", "wanna", "gunna"]), _l(BEATINGS + ["break", "snap", "cave", "rip", "cut"]),
         _l(["your", "ur", "yo", "his", "her", "their"]), {"OP": "{0,2}"}, _l(BODY)],
        [_l(HARMED), {"LOWER": {"IN": ["'ll", "will", "ll", "gonna", "gon", "na", "is", "'s", "are", "'re", "re", "going", "to", "be", "gunna"]}, "OP": "{1,4}"}, _l(["regret", "sorry"])],
        [_l(HARMED), {"LOWER": {"IN": ["'ll", "will", "ll", "gonna", "gon", "na", "is", "'s", "are", "'re", "re", "going", "to", "gunna"]}, "OP": "{1,4}"}, _l(["pay"]), {"IS_PUNCT": True}],
        [_l(HARMED), {"LOWER": {"IN": ["'ll", "will", "ll", "gonna", "gon", "na", "is", "'s", "are", "'re", "re", "going", "to", "gunna"]}, "OP": "{1,4}"}, _l(["pay"]), _l(["for"]), _l(["this", "that", "it", "what"])],
        [_l(YOU), _l(["'re", "are", "re", "r"]), _l(["next"])],
        [_l(["ur", "you're", "youre", "u", "you"]), _l(["are", "'re", "re", "r", "so", "gonna", "gon", "na", "be"]) | {"OP": "{0,2}"}, _l(["dead", "deadmeat"]), {"LOWER": {"NOT_IN": ["tired", "right", "wrong", "serious", "on", "set", "last", "to", "inside", "weight", "ass", "asleep"]}}],
        [_l(["someone", "somebody", "people", "somebody's", "someone's", "teachers", "kids", "he", "she", "you"]), {"OP": "{0,3}"}, _l(["get", "gets", "getting", "be"]), _l(["hurt", "killed", "shot", "stabbed"])],
        [_l(["bring", "brings", "bringing", "brought", "got", "have", "carry"]), _l(["a", "my", "his", "the", "dad's"]), _l(["gun", "knife", "weapon", "glock", "piece", "pistol", "rifle", "bat"])],
        [_l(["shoot", "bomb", "blow", "shooting", "burn", "burns", "burned"]), _l(["up", "down", "the"]), {"OP": "{0,2}"}, _l(["school", "place", "board", "office", "building", "class", "house", "with"])],
        [_l(["hope", "hopes", "wish", "pray"]), {"OP": "{0,6}"}, _l(["dies", "die", "dead", "burns", "burn", "killed", "hit", "shot", "cancer", "crash", "crashes", "raped"])],
        [_l(["after", "outside", "behind"]), _l(["school", "class", "the", "gym"]), {"OP": "{0,5}"}, _l(["jump", "fight", "beat", "get", "see", "catch", "meet"])],
        [_l(["meet", "catch"]), _l(OBJ + ["me"]), _l(["outside", "after", "behind", "lacking", "alone"])],
        [_l(["see"]), _l(OBJ), _l(["outside", "behind", "lacking", "alone"])],
        [_l(["should", "deserve", "deserves", "needs", "need", "ought"]), ANY, _l(["be", "get"]), _l(["shot", "hanged", "hung", "lynched", "killed", "beaten", "stabbed", "run", "strung", "burned", "punched"])],
        [_l(["pull", "pulling"]), _l(["up"]), _l(["on"]), _l(OBJ)],
        [_l(["sleep", "sleeping"]), _l(["with"]), _l(["one"]), _l(["eye"])],
        [_l(["teach", "teaching"]), _l(HARMED + ["that", "this", "the", "those", "these", "his", "her"]), {"OP": "{0,2}"}, _l(["a"]), _l(["lesson"])],
        [_l(["dead", "6", "six"]), _l(["meat", "feet"])],
        # veiled: "keep talking and see what happens", "you'll get what's coming to you"
        # (not "mix them and see what happens": science class says that too)
        [_l(["see", "watch"]), _l(["what"]), _l(["happens", "happen"]), _l(["to"]), _l(HARMED)],
        [_l(["talking", "snitching", "talk", "snitch", "again", "anyone", "anybody", "me", "lying", "mouthing", "telling"]), {"OP": "{0,2}"},
         _l(["and"]), _l(["see", "watch"]), _l(["what"]), _l(["happens", "happen"])],
        [_l(["get", "gets", "getting"]), _l(["what"]), _l(["'s", "is"]), _l(["coming"])],
        [_l(["make", "making", "makes"]), {"OP": "{0,2}"}, _l(["your", "ur", "his", "her", "their", "yo"]), _l(["life", "lives", "year"]), {"OP": "{0,2}"}, _l(["hell", "miserable", "nightmare", "misery"])],
        [_l(["or", "otherwise"]), _l(["else"]), {"IS_PUNCT": True, "OP": "*"}],
    ]


def _abuse() -> list[list[dict]]:
    insult = _l(PERSON_INSULTS)
    adj = _l(ADJ_INSULTS)
    filler = {"LOWER": {"IN": PROFANE + BE + ["all", "just", "one", "of", "bunch", "nothing", "but", "being", "like", "gonna", "always", "still", "even", "more", "of", "biggest", "most", "ugliest"]}, "OP": "{0,4}"}
    person = [_l(YOU), _l(SUBJ3 + PEOPLE), {"ENT_TYPE": "PERSON"}, {"POS": "PROPN"}]
    pats: list[list[dict]] = []
    # about a third person, performance words ("incompetent", "lazy") are criticism, not insults
    adj3 = _l([a for a in ADJ_INSULTS if a not in PERFORMANCE])
    loose = {"POS": {"IN": ["ADJ", "DET", "ADV", "PUNCT", "PART", "NUM"]}, "OP": "{0,6}"}
    for subj in person:
        for fill in (filler, loose):
            pats.append([subj, _l(BE), fill, _l(PERSON_INSULTS + FIGURATIVE)])
            pats.append([subj, _l(BE), fill, adj if subj is person[0] else adj3])
            pats.append([subj, _l(BE), fill, _l(THING_INSULTS)])
    pats += [
        [_l(BE), loose, insult],                                       # "X is such a lying creep"
        [_l(BE), loose, adj, loose, _l(FIGURATIVE)],                   # "X is such a fake two-faced snake"
        [_l(BE), loose, _l(["has", "washed"]), {"ORTH": "-"}, _l(["been", "up"])],
        [_l(["the", "that", "this", "your", "ur", "his", "her", "their", "these", "those", "every"]), ANY, _l(PERSON_INSULTS + ADJ_INSULTS), _l(PEOPLE)],
        [_l(YOU), filler, _l(PERSON_INSULTS + FIGURATIVE)],            # "you idiot", "ur such a loser"
        [_l(YOU), _l(["so", "too", "really", "hella", "mad", "such"]), adj],
        # "ur so annoying", "your a joke": teenagers write "you're" as "ur" and "your"; an
        # intensifier or article tells "your a joke" from "your joke", or a pause after the word
        [_l(["ur", "your", "ure", "yur"]), _l(["a", "an", "so", "such", "literally", "actually", "really", "just", "mad", "hella", "lowkey", "fr", "kinda", "too", "the", "always", "still", "honestly", "deadass"]), {"OP": "{0,2}"}, _l(PERSON_INSULTS + ADJ_INSULTS + THING_INSULTS + FIGURATIVE)],
        [_l(["ur", "your", "ure", "yur"]), _l(PERSON_INSULTS + ADJ_INSULTS), _l([",", ".", "!", "and", "lol", "lmao", "af", "asf", "ngl", "tbh", "bro", "bruh", "ur"])],
        [_l(["that", "this", "dat"]), _l(ADJ_INSULTS + ["fucking", "f*cking", "little", "lil", "fat", "big"]) | {"OP": "{0,2}"}, insult],
        [_l(YOU + ["your", "he", "she", "his", "her", "they", "their"]), {"OP": "{0,2}"}, _l(["smell", "smells", "stink", "stinks", "look", "looks"]), _l(["like"]), {"OP": "{0,2}"},
         _l(["trash", "garbage", "dumpster", "shit", "ass", "crap", "poop", "sewer", "toilet", "rat", "pig", "hobo", "whale", "cow", "dog", "gremlin", "goblin", "troll", "roadkill", "homeless"])],
        [_l(YOU + ["he", "she", "imagine"]), {"OP": "{0,2}"}, _l(["have", "has", "having", "got", "get"]), _l(["no"]), _l(["friends", "life", "friend"])],
        [_l(["your", "ur", "his", "her", "their"]), _l(["kid", "kids", "son", "daughter", "mom", "mother", "dad", "father", "family", "face", "brother", "sister"]), filler, _l(PERSON_INSULTS + FIGURATIVE + ADJ_INSULTS)],
        [_l(["what", "such", "absolute", "total", "complete", "utter", "fucking", "f*cking"]), _l(["a", "an"]), {"OP": "{0,2}"}, insult],
        [_l(PERSON_INSULTS + FIGURATIVE), _l(["like", "as"]), _l(OBJ)],
        [_l(["bunch", "pack", "herd", "load"]), _l(["of"]), {"OP": "{0,2}"}, insult],
        [_l(["all", "these", "those", "them"]), {"OP": "{0,2}"}, insult],
        [_l(["@user"]), {"OP": "{0,2}"}, insult],
        [_l(["hey", "hi", "yo", "oi", "bye", "listen", "sup", "ok", "okay"]), insult],          # "hey fatso"
        # exclusion and pile-ons
        [_l(["nobody", "noone", "nobodys", "nobody's"]), {"OP": "{0,5}"}, _l(["wants", "likes", "sits", "sit", "cares", "talks", "invited", "invites", "asked", "loves", "misses", "hangs", "trusts", "wanted", "plays", "play", "talk"]), {"OP": "{0,3}"}, _l(EXCLUDED)],
        [_l(["no"]), _l(["one"]), {"OP": "{0,2}"}, _l(["wants", "likes", "sits", "sit", "cares", "talks", "invited", "invites", "loves", "misses", "hangs", "trusts", "wanted", "plays", "play", "talk"]), {"OP": "{0,3}"}, _l(EXCLUDED)],
        [_l(["everyone", "everybody", "all", "whole"]), {"OP": "{0,4}"}, _l(["hates", "hate", "laughs", "laughing", "laughed", "thinks", "avoids", "ignores", "ignore", "avoid"]), _l(OBJ + ["at", "ur", "your", "his", "her"])],
        [_l(["don't", "dont", "do", "never"]), _l(["not"], ) | {"OP": "?"}, _l(["let", "invite", "sit", "talk", "play", "add", "pick", "hang"]), {"OP": "{0,2}"}, _l(["him", "her", "them", "the", "that"])],
        # "nobody sit with teddy", "don't invite marcus": aimed at a person, not at a place ("nobody sit on the bleachers")
        [_l(["nobody", "no", "don't", "dont"]), _l(["one"]) | {"OP": "?"}, _l(["sit", "talk", "play", "hang"]), _l(["with", "to", "near", "next"]),
         {"IS_ALPHA": True, "LOWER": {"NOT_IN": ["strangers", "anyone", "anybody", "people", "adults", "someone", "somebody", "it", "this", "unknown"]}}],
        [_l(["nobody", "no", "don't", "dont"]), _l(["one"]) | {"OP": "?"}, _l(["invite", "pick"]),
         {"IS_ALPHA": True, "LOWER": {"NOT_IN": ["strangers", "anyone", "anybody", "people", "adults", "someone", "somebody", "it", "this", "unknown",
                                                 "up", "on", "at", "in", "out", "from", "the", "a", "an", "any", "your", "ur", "fights", "fight"]}}],
        [_l(["switch", "change", "leave", "quit", "transfer"]), _l(["our", "this", "the"]) | {"OP": "?"}, _l(["schools", "school", "class", "team", "town", "grade"])],
        [_l(["send", "sent", "ship", "deport"]), _l(["them", "him", "her", "em", "'em"]), _l(["back", "home", "away", "out"])],
        [_l(["go"]), _l(["back", "home"]), _l(["to"]) | {"OP": "?"}, _l(["where", "your", "ur", "their", "his", "her"])],
        [_l(["don't", "dont", "doesn't", "doesnt", "never"]), _l(["belong"])],
        [_l(["kill", "unalive", "end", "hang", "off"]), _l(["yourself", "urself", "himself", "herself", "themselves", "yoself"])],
        [_l(["kys", "stfu", "gtfo", "stfuu"])],
        # teenagers' put-downs: "imagine being this ugly", "why are u even alive", "ur gonna die alone"
        [_l(["imagine"]), _l(["being", "looking", "having", "acting"]), {"OP": "{0,4}"}, _l(ADJ_INSULTS + PERSON_INSULTS + ["try", "desperate"])],
        [_l(["why"]), _l(["are", "r", "do", "does", "is"]), _l(YOU + ["he", "she"]), ANY, _l(["alive", "exist", "exists", "born", "breathing"])],
        [_l(["die", "dying"]), _l(["alone"])],
        # death wishes: "u should just disappear", "pls drop dead", "nobody would notice if you died"
        [_l(YOU + ["he", "she"]), _l(["should", "shud", "shld", "need", "needs", "can", "could"]), {"LOWER": {"IN": ["just", "go", "all", "really", "honestly", "seriously", "prob", "probably", "literally"]}, "OP": "{0,2}"},
         _l(["die", "disappear", "vanish", "unalive", "rot"])],
        [_l(["u", "you", "ya", "just", "pls", "please", "plz", "go", "should", "can", "could", "he", "she", "him", "her", "them"]), _l(["drop"]), _l(["dead"])],
        [_l(["drop"]), _l(["dead"]), {"IS_PUNCT": True}],
        [_l(["nobody", "no"]), _l(["one"]) | {"OP": "?"}, _l(["would", "will", "'d", "gonna", "even"]), {"OP": "{0,1}"}, _l(["notice", "care", "cry", "miss"]), _l(["if", "when"]), _l(YOU + ["he", "she"])],
        [_l(["aborted"]), _l(OBJ)],
        [_l(["been", "be", "get", "got"]), _l(["aborted"])],
        [_l(["waste"]), _l(["of"]), _l(["space", "oxygen", "air", "skin", "sperm"])],
        # disgust aimed at a person: "ur face makes me sick", "you make me want to puke"
        [_l(["your", "ur", "his", "her", "their"]), _l(["face", "voice", "existence", "body", "outfit", "hair", "laugh", "smell", "breath", "selfies", "selfie", "pics", "pic", "posts", "presence"]),
         {"OP": "{0,3}"}, _l(["makes", "make", "made"]), _l(["me", "everyone", "us", "people"]), {"OP": "{0,3}"}, _l(DISGUST)],
        [_l(["you", "u", "he", "she"]), _l(["make", "makes"]), _l(["me", "everyone", "us"]), {"OP": "{0,3}"}, _l(DISGUST)],
        [_l(["be", "end", "stay"]), _l(["alone"]), _l(["forever"])],
        [_l(["nobody", "no"]), _l(["one"]) | {"OP": "?"}, _l(["will", "would", "'ll", "is", "ever", "gonna"]), {"OP": "{0,2}"}, _l(["love", "date", "like", "miss", "marry", "want"]), _l(EXCLUDED)],
        [_l(["try"]), {"ORTH": "-", "OP": "?"}, _l(["hard", "hards"])],
        # abuse aimed by the verb itself
        [_l(["fuck", "f*ck", "f**k", "screw", "frick", "fk", "fuk"]), _l(["you", "u", "off", "yourself", "urself", "ya", "him", "her", "them"])],
        [_l(["piss", "bugger", "sod"]), _l(["off"])],
        [_l(["shut"]), _l(["your", "ur", "yo"]), _l(["mouth", "face", "trap", "fat", "ugly", "dumb"])],
        [_l(["eat"]), _l(["shit", "dirt"])],
        [_l(["go"]), _l(["die", "cry"])],
        [_l(["delete", "deactivate"]), _l(["ur", "your", "his", "her", "the"]), ANY, _l(["account", "acc", "page", "insta", "tiktok", "profile"])],
        [_l(["go", "everyone", "everybody", "let's", "lets", "let", "y'all", "yall", "guys", "we"]), {"OP": "{0,2}"}, _l(["spam", "report", "roast", "expose", "flood", "ratio", "dogpile", "cancel", "troll"])],
        [_l(["make", "made", "making"]), _l(["him", "her", "them", "you", "u"]), _l(["cry", "cries", "leave", "quit", "suffer"])],
        [_l(["spam", "roast", "expose"]), _l(["his", "her", "their", "him"])],
        [_l(["laugh", "laughing", "laughed", "lol", "lmao", "lmaoo"]), _l(["at"]), _l(["him", "her", "you", "u"])],
        # discriminatory generalisations about groups
        [_l(GROUPS), {"OP": "{0,2}"}, _l(BE + ["keep", "always"]), {"OP": "{0,2}"}, _l(["animals", "criminals", "terrorists", "dirty", "ruining", "dragging", "destroying", "invading", "taking", "rapists", "parasites", "disgusting", "sick", "mentally", "inferior", "stupid", "lazy", "violent", "subhuman", "filthy", "vermin", "diseased", "grooming", "groomers", "freaks", "bringing", "stealing"])],
        [_l(["where"]), _l(["they", "you", "he", "she"]), _l(["came", "come"]), _l(["from"])],
        [_l(["trans", "gay", "homosexual", "lgbt", "tranny", "woke", "queer"]), _l(["agenda", "propaganda", "groomers", "freaks", "perverts"])],
        [_l(["mentally", "mental"]), _l(["ill", "illness", "disorder"]), ANY, _l(["freaks", "people", "teachers", "freak"])],
        # defamatory allegations: crimes and misconduct presented as fact
        [_l(["fired", "forced", "arrested", "charged", "caught", "kicked", "investigated", "busted", "removed"]), {"OP": "{0,2}"}, _l(["for"]), _l(["grabbing", "touching", "stealing", "abusing", "assaulting", "hitting", "molesting", "drinking", "texting", "sleeping", "groping", "harassing", "embezzling", "dating"])],
        [_l(["grabbing", "grabbed", "touching", "touched", "groping", "groped", "abusing", "abused", "molesting", "molested", "assaulting", "hitting", "hit", "texting", "sleeping", "dating", "grooming", "groomed", "fondling"]), _l(["a", "the", "his", "her", "little", "those", "with", "some", "young"]), ANY, _l(["kid", "kids", "child", "children", "student", "students", "girl", "girls", "boy", "boys", "minor", "minors", "teen"])],
        [_l(["knows", "know", "remember"]), _l(["what"]), _l(["he", "she", "they"]), _l(["did", "does", "done", "do"])],
        [_l(["pockets", "pocketed", "steals", "stole", "stealing", "embezzled", "embezzles", "embezzling", "pocketing", "skimming", "skims", "skimmed"]), {"OP": "{0,3}"}, _l(["money", "funds", "tax", "taxes", "cash", "dollars", "donations", "fundraiser", "bribes", "kickbacks", "from", "program", "budget"])],
        [_l(["be", "end", "belongs", "belong", "go"]), _l(["in", "to", "up"]), _l(["jail", "prison"])],
        [_l(["keep", "protect"]), _l(["your", "ur", "the", "our"]), _l(["kids", "children", "daughters", "sons", "kid"]), _l(["away", "safe"]), _l(["from"])],
        [_l(["drunk", "high", "hammered", "stoned", "wasted"]), _l(["at", "in", "during", "on"]), _l(["school", "work", "class", "the", "practice"])],
        [_l(["is", "was", "'s", "are"]), {"LOWER": {"NOT_IN": ["not", "n't", "never", "no"]}, "OP": "?"}, _l(["a", "an"]), _l(["pedophile", "pedo", "predator", "groomer", "abuser", "molester", "rapist", "criminal", "thief", "crook", "embezzler", "drunk", "addict", "junkie"])],
        # sexual comments about students or staff
        [_l(["she", "he", "teacher", "ms", "mrs", "miss", "mr", "girl", "girls", "her", "his", "student", "students", "ms.", "mrs.", "mr."]), {"OP": "{0,3}"}, _l(["hot", "sexy", "thicc", "thick", "bangable", "fuckable", "doable", "fine", "curvy"]), _l(["af", "asf", "lol", "ngl", "tho", "😍", "🥵", "🤤", "!", "as", "ass", "asl", "this", "these"])],
        [{"ENT_TYPE": "PERSON"}, _l(BE), {"OP": "{0,2}"}, _l(["hot", "sexy", "thicc", "bangable", "fuckable", "doable"])],
        [_l(["smash", "bang", "tap", "rail", "fuck", "bone"]), {"OP": "{0,3}"}, _l(["teacher", "teachers", "girl", "girls", "mom", "ms", "mrs", "miss", "sub", "student", "ms.", "mrs.", "coach"])],
        [_l(["i'd", "id", "would", "wanna", "want", "gonna", "i'll", "ill"]), ANY, _l(["smash", "bang", "tap", "hit", "fuck", "rail", "pipe", "eat"]), _l(["her", "him", "that", "it", "them", "ms", "mrs", "miss"])],
        # not "pics" here: "pics of the building" is no sexual comment ("send her pics" is, below)
        [_l(["nudes", "nude", "naked", "boobs", "tits", "titties", "rack", "booty", "dick"]), {"OP": "{0,2}"}, _l(["her", "his", "she", "he", "of", "send", "leaked", "sent", "leak", "post"])],
        [_l(["send", "sent", "leak", "leaked", "post", "posted"]), _l(["her", "his", "ur", "your", "me", "the"]), _l(["nudes", "pics", "nude"])],
        [_l(["looks", "look", "dresses", "dress", "acts"]), _l(["like"]), _l(["a"]), _l(["man", "dude", "guy", "boy", "girl", "woman", "pig", "whale", "cow", "dog", "hooker", "prostitute", "tranny", "slut", "hobo", "crackhead", "clown"])],
    ]
    return pats




@dataclass(frozen=True)
class Hits:
    threat: bool
    weapon: bool
    abuse: bool
    # abuse said to the reader ("your kid is a monster"), outside quotes: stands even in a report
    direct_abuse: bool
    targeted: bool | None  # None: unknown without entities (see judge)
    teaching: bool
    report: bool
    sports: bool
    sports_target: bool
    compliment: bool
    criticism: bool


def _reads(pattern: list[dict], attr: str) -> bool:
    return any(attr in token for token in pattern)


_MATCHERS: dict[int, tuple[GatedMatcher, GatedMatcher]] = {}


def matchers(vocab: Vocab) -> tuple[GatedMatcher, GatedMatcher]:
    """Threat and abuse rules, built once per vocabulary."""
    key = id(vocab)
    if key not in _MATCHERS:
        _MATCHERS[key] = (GatedMatcher(vocab, {"THREAT": _threats()}), GatedMatcher(vocab, {"ABUSE": _abuse()}))
    return _MATCHERS[key]


def _spans(matcher: GatedMatcher, doc: Doc, words: set[int]) -> list[Span]:
    return [doc[start:end] for _, start, end in matcher(doc, words)]


# people named by their part at school, on a team or on stage: "the band director", "the soloist"
ROLES = """director directors soloist soloists singer singers dancer dancers player players goalie driver drivers nurse
secretary custodian janitor counsellor counselor librarian aide volunteer volunteers classmate classmates teammate
teammates neighbour neighbor""".split()
# a person insult used as a noun names the person it insults ("fatty fatty cant even run a lap")
_TARGETS = hashes(YOU + ["your", "he", "she", "him", "her", "his", "they", "them", "@user", "person", "human"]
                  + PEOPLE + GROUPS + ROLES + PERSON_INSULTS)
# a person pointed at in a photo: "2nd from the left", "the one in the back row"
POINTED = re.compile(r"\b(?:(?:1st|2nd|3rd|[4-9]th|first|second|third|fourth|fifth|last)\s+(?:one\s+)?(?:from|on)\s+the\s+(?:left|right)"
                     r"|the\s+one\s+(?:in|on|at)\s+the\s+(?:back|front|middle|end|corner))\b", re.I)


def mentions(doc: Doc) -> bool:
    """Whether the text @-mentions an account ("@cleo.kw"): a mention names the person it is aimed at."""
    return any(len(t.text) > 1 and t.text[0] == "@" and (t.text[1].isalnum() or t.text[1] == "_") for t in doc)


def _names_a_target(doc: Doc, words: set[int]) -> bool:
    """Whether the words alone show who the text is aimed at (entities aside)."""
    return not _TARGETS.isdisjoint(words) or mentions(doc) or bool(POINTED.search(doc.text))


def _targeted(doc: Doc, words: set[int]) -> bool | None:
    """Aimed at someone: second person, an @-mention, a person's name, a pronoun for people, a people
    noun, a role, a person insult, or a person pointed at in a photo. None when only entities could
    tell and the doc has none (no NER ran on it)."""
    if _names_a_target(doc, words):
        return True
    if len(doc) and not doc.has_annotation("ENT_IOB"):
        return None
    return any(ent.label_ == "PERSON" for ent in doc.ents)


# The model's tagger and NER cost more than all the rules; the pipeline runs each only on docs
# where a rule could read it: for every pattern with a POS or ENT_TYPE token, its required words
# (of the patterns as the Matchers hold them: "y'all" is matched as "y'" "all", so gates on it too)
_SPLIT = split_words(_threats() + _abuse())
_TAG_GATES = [required_words(p) for p in _SPLIT if _reads(p, "POS")]
_ENTITY_GATES = [required_words(p) for p in _SPLIT if _reads(p, "ENT_TYPE")]


def needs_tags(doc: Doc) -> bool:
    """Whether a part-of-speech rule could match this doc (so it must be tagged before `find`)."""
    return _could_any(_TAG_GATES, words_of(doc))


def needs_entities(doc: Doc, model_score: float, threshold: float) -> bool:
    """Whether a PERSON entity could change this doc's verdict: an entity rule could match, or
    the text model alone reaches the threshold and only a name could show who it is aimed at."""
    words = words_of(doc)
    return _could_any(_ENTITY_GATES, words) or (model_score >= threshold and not _names_a_target(doc, words))


def _could_any(gates: list, words: set[int]) -> bool:
    return any(could_match(required, words) for required in gates)


_BETWEEN = set(BE) | {"all", "just", "such", "a", "an", "the", "so", "literally", "actually", "really", "total", "complete", "absolute", "biggest"}


def _said_of_self(doc: Doc, span: Span) -> bool:
    """Whether an insult's subject is the writer: "i am the clown", "we're all losers" (a few
    linking words back from the insult, the first word that is not one of them is I or we)."""
    for token in reversed(doc[max(span.start - 4, 0):span.start]):
        if token.lower_ in SELF:
            return True
        if token.lower_ not in _BETWEEN:
            return False
    return False


def _report_card(doc: Doc, span: Span) -> bool:
    """A pile-on rule's "report" that is a report card ("we talk report card comments")."""
    return span[-1].lower_ == "report" and span.end < len(doc) and doc[span.end].lower_ in ("card", "cards")


def find(doc: Doc) -> Hits:
    threats, abuse = matchers(doc.vocab)
    text = doc.text
    words = words_of(doc)
    # untagged, a POS or entity rule would silently never match: fail loudly instead
    if not doc.has_annotation("POS") and _could_any(_TAG_GATES, words):
        raise ValueError("harassment rules need part-of-speech tags for this doc; run the tagger on it first")
    if len(doc) and not doc.has_annotation("ENT_IOB") and _could_any(_ENTITY_GATES, words):
        raise ValueError("harassment rules need named entities for this doc; run the NER on it first")
    # "teach the kids a lesson about recycling" is a lesson, not a threat
    threat_spans = [sp for sp in _spans(threats, doc, words)
                    if not (sp[-1].lower_ == "lesson" and sp.end < len(doc) and doc[sp.end].lower_ in ("on", "about", "in", "for", "of", "from"))]
    if threat_spans and SAFETY.search(text) and not any(t.lower_ in ("i", "we", "me", "i'm", "im", "imma", "ima") for t in doc):
        threat_spans = []  # a lockdown notice says what to do "if someone brings a weapon"
    threat_spans += [sp for sp in (doc.char_span(*m.span(), alignment_mode="expand") for m in VEILED.finditer(text)) if sp is not None]
    if threat_spans and HAZARD.search(text) and not CONDITION.search(text):
        threat_spans = [sp for sp in threat_spans if not (sp[0].lower_ in UNNAMED and sp[-1].lower_ == "hurt")]
    if threat_spans and LAUGHING.search(text) and not WEAPONS.search(text) and not MEETING.search(text) \
            and all(not HYPERBOLE.isdisjoint(t.lower_ for t in sp) for sp in threat_spans):
        threat_spans = []
    sports = bool(SPORTS.search(text))
    # "we're going to kill them Friday": in a sports context, harm aimed at "them" is trash talk
    sports_target = sports and bool(threat_spans) and all(sp[-1].lower_ in ("them", "they", "em", "'em") or "kill it" in sp.text.lower() for sp in threat_spans)
    abuse_hits = _spans(abuse, doc, words)
    abuse_hits += [sp for sp in (doc.char_span(*m.span(), alignment_mode="expand") for m in GENERALISATION.finditer(text)) if sp is not None]
    quoted = [m.span() for m in QUOTED.finditer(text)]
    if quoted and QUOTE_REPORT.search(text):
        # a report's quoted evidence is someone else's words: only what the writer says counts
        def outside(sp: Span) -> bool:
            return not any(a <= sp.start_char < b for a, b in quoted)
        threat_spans, abuse_hits = [sp for sp in threat_spans if outside(sp)], [sp for sp in abuse_hits if outside(sp)]
    # self-mockery: "i am the clown", "we're all losers in gym class" are aimed at nobody (round 11, kind 3)
    abuse_hits = [sp for sp in abuse_hits if not _said_of_self(doc, sp) and not _report_card(doc, sp)]
    compliment = bool(COMPLIMENT.search(text))
    if (compliment or AFFECTION_WORDS.search(text)) and all(sp[-1].lower_ in MILD for sp in abuse_hits) \
            and all(any(t.lower_ == "dead" for t in sp) for sp in threat_spans):
        # banter: "ur so dumb for staying up til 3, it looked amazing tho ily", "ur so dead lmao you ate that"
        threat_spans, abuse_hits, compliment = [], [], True
    if (compliment or AFFECTION.search(text)) and all(sp[-1].lower_ in FIGURATIVE for sp in abuse_hits):
        abuse_hits = []  # "she's an animal on the ice", "little monsters" at Halloween: praise and fondness
    direct = [sp for sp in abuse_hits if any(t.lower_ in YOU or t.lower_ == "your" for t in sp)
              and not any(a <= sp.start_char < b for a, b in quoted)]
    return Hits(
        threat=bool(threat_spans),
        weapon=bool(threat_spans) and bool(WEAPONS.search(text)),
        abuse=bool(abuse_hits),
        direct_abuse=bool(direct),
        targeted=_targeted(doc, words),
        # a lesson only excuses insults it quotes or lists ("words like loser"), not "learn your lesson, loser"
        teaching=bool(TEACHING.search(text)) and bool(QUOTED.search(text) or LISTED.search(text)),
        report=bool(REPORT.search(text)),
        sports=sports,
        sports_target=sports_target,
        compliment=compliment,
        criticism=bool(THING_SUBJECTS.search(text)),
    )
