"""Every labelling rule of shared/data/school/README.md, one test id per rule: a positive and a tricky
negative, in texts written for these tests (none is from dev.jsonl) about an invented division of
its own (the Westbrook roster below). Each positive's findings must also carry a clean reason.

The ids follow the README: `pii-*` student_pii, `photo-*` photo_no_consent, `har-*` harassment,
`mi-*` media_inquiry, `conf-*` confidential; `*-not-*` are its "Not:" items, whose positive is the
nearest case the rule does flag.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from classifiers.directory import Directory, StaffMember, Student
from classifiers.pipeline import Analyzer
from connectors.items import Author, Item, Media
from tests.classifiers.conftest import assert_reasons

CEDAR = "Cedar Hollow Elementary"
IRON = "Ironwood Secondary"
CEDAR_FB = "cedar-hollow-elementary-fb"
IRON_IG = "ironwood-secondary-ig"
DIVISION_FB = "westbrook-sd-fb"


def westbrook() -> Directory:
    students = [
        Student("7310001", "Priya", "Castellanos", "", CEDAR, "3", "yes", None),
        Student("7310002", "Jonah", "Brightwater", "", CEDAR, "3", "no", None),
        Student("7310003", "Matilda", "Okonjo", "", CEDAR, "4", "yes", date(2025, 6, 30)),
        Student("7310004", "Felix", "Ardent", "", CEDAR, "5", "limited", None),
        Student("7310005", "Noor", "Haddad", "", CEDAR, "2", "yes", None),
        Student("7310006", "Ruby", "Sandoval", "", CEDAR, "1", "yes", None),
        Student("7310007", "Zoë", "Lambert", "", CEDAR, "4", "no", None),
        Student("8420001", "Noor", "Baptiste", "", IRON, "10", "no", None),
        Student("8420002", "Theodore", "Lindqvist", "Teddy", IRON, "11", "yes", None),
        Student("8420003", "Savannah", "Kowal", "", IRON, "12", "no", None),
        Student("8420004", "Marcus", "Oyelowo", "", IRON, "9", "yes", None),
        Student("8420005", "Rowan", "Tate", "", IRON, "12", "no", None),
    ]
    staff = [
        StaffMember("1", "Helena", "Marsh", "helena.marsh@westbrook-sd.ca", CEDAR, "principal", True),
        StaffMember("2", "Owen", "Pritchard", "owen.pritchard@westbrook-sd.ca", IRON, "teacher", True),
        StaffMember("3", "Priya", "Nandakumar", "priya.nandakumar@westbrook-sd.ca", IRON, "teacher", True),
        StaffMember("4", "Derek", "Stroud", "derek.stroud@westbrook-sd.ca", "Division Office", "communications", True),
    ]
    return Directory(students=students, staff=staff, account_schools={CEDAR_FB: CEDAR, IRON_IG: IRON})


DIRECTORY = westbrook()


@pytest.fixture(scope="module")
def westbrook_analyzer() -> Analyzer:
    return Analyzer(DIRECTORY)


WHEN = datetime(2025, 3, 10, 15, 0, tzinfo=timezone.utc)


def post(text: str, account: str = CEDAR_FB, media: list[Media] | None = None, consent: str | None = None,
         created: datetime = WHEN) -> Item:
    """The account's own post."""
    name = {CEDAR_FB: CEDAR, IRON_IG: IRON}.get(account, "Westbrook School Division")
    return Item(platform="facebook", platform_id="lr", account=account, kind="post", text=text, author=Author(name=name, is_account=True),
                created_at=created, media=media or [], consent_tag=consent)


def comment(text: str, account: str = CEDAR_FB, media: list[Media] | None = None, author: str = "a.parent") -> Item:
    """A comment by someone else (a parent, a student, the public)."""
    return Item(platform="facebook", platform_id="lr", account=account, kind="comment", text=text, author=Author(name=author),
                created_at=WHEN, media=media or [])


def photo(alt: str, tagged: tuple[str, ...] = ()) -> list[Media]:
    return [Media(type="photo", alt_text=alt, tagged=tagged)]


FACE = "face visible"

# (id, category, positive, tricky negative)
RULES = [
    # ---- student_pii: PII on its own
    ("pii-full-name-any-case", "student_pii",
     comment("PRIYA CASTELLANOS won the spelling bee again lol"),
     comment("Priya Nandakumar won the staff curling bonspiel again lol")),
    ("pii-full-name-misspelt", "student_pii",
     comment("so proud of jonah brightwatter at the spelling bee"),
     comment("so proud of Jonah Brightman at the spelling bee, what a voice")),
    ("pii-full-name-inside-a-handle", "student_pii",
     comment("@teddylindqvist_11 you left your skates in the van"),
     comment("@lindqvist_skates_shop you left a flyer in the van")),
    ("pii-student-number", "student_pii",
     post("Student #8420003 left a calculator in the library.", account=IRON_IG),
     post("Order #8429911 for the yearbook club has shipped.", account=IRON_IG)),
    ("pii-student-email", "student_pii:EMAIL",
     comment("send the notes to 8420004@learn.westbrook-sd.ca please", account=IRON_IG),
     comment("send the notes to owen.pritchard@westbrook-sd.ca please", account=IRON_IG)),
    ("pii-student-phone-spelt-out", "student_pii:PHONE",
     comment("Teddy Lindqvist's cell is four zero three, five five five, zero one four two", account=IRON_IG),
     comment("Teddy Lindqvist had four goals, five assists and zero penalties", account=IRON_IG)),
    ("pii-home-address-partial", "student_pii:ADDRESS",
     comment("Jonah Brightwater lives on Larkspur Crescent by the pond, just go knock"),
     comment("Jonah Brightwater read his poem at the Larkspur library on Friday")),
    ("pii-birthdate", "student_pii:DOB",
     comment("Felix Ardent, born 2014-05-09, is the new chess champ"),
     comment("Felix Ardent, chess champ since 2024, plays again on 2025-05-09")),
    # ---- a first name (or preferred name, or first + initial) only with identifying context
    ("pii-first-name-with-grade", "student_pii",
     comment("Jonah in grade 3 lost a blue mitten at recess"),
     comment("Jonah lost a blue mitten at the rink")),
    ("pii-first-name-with-class", "student_pii",
     comment("Marcus from homeroom 9B found your phone", account=IRON_IG),
     comment("Marcus said the room was freezing again", account=IRON_IG)),
    ("pii-first-name-with-teacher", "student_pii",
     comment("Teddy is in Mr. Pritchard's chemistry class this term", account=IRON_IG),
     comment("Teddy Bear Picnic was Mr. Pritchard's idea this term", account=IRON_IG)),
    ("pii-first-name-with-named-school", "student_pii",
     comment("Rowan from Ironwood Secondary is selling raffle tickets", account=DIVISION_FB),
     comment("Rowan is selling raffle tickets at lunch", account=IRON_IG)),
    ("pii-first-name-with-age", "student_pii",
     comment("Felix turns 11 on Saturday, come to the party!"),
     comment("Our school turns 50 this year and Felix helped paint the mural!")),
    ("pii-first-name-initial-with-context", "student_pii",
     comment("Savannah K. in grade 12 left her keys in the gym", account=IRON_IG),
     comment("Savannah K. left her keys somewhere, anyone seen them?", account=IRON_IG)),
    ("pii-first-name-with-health", "student_pii",
     comment("Noor has a peanut allergy, please no nuts at the party"),
     comment("Peanut allergy reminder: please no nuts at the class party")),
    ("pii-first-name-with-religion", "student_pii",
     comment("Marcus is Muslim so he is fasting during the field trip", account=IRON_IG),
     comment("Muslim families: the field trip lunch will be halal", account=IRON_IG)),
    ("pii-first-name-with-custody", "student_pii",
     comment("Jonah's dad has a custody order, only mom can pick him up"),
     comment("Reminder: only listed adults can pick up children after the concert")),
    ("pii-first-name-with-discipline", "student_pii",
     comment("heard Rowan got suspended for the vape thing", account=IRON_IG),
     comment("heard the vape detectors got installed in every washroom", account=IRON_IG)),
    ("pii-posting-account-is-not-naming-the-school", "student_pii",
     post("Cedar Hollow Elementary is proud of Priya for reading 100 books!"),
     post("So proud of Priya for reading 100 books!")),
    # ---- parents and students posting
    ("pii-parent-own-child-first-name-alone", "student_pii",
     comment("My Jonah in Ms. Marsh's class has been off sick with strep"),
     comment("So proud of my Jonah at the concert tonight!")),
    ("pii-student-posting-own-details", "student_pii",
     comment("its teddy from gr 11, text me 403-555-0139 for the notes", account=IRON_IG, author="teddy.l"),
     comment("its teddy lol see u at practice", account=IRON_IG, author="teddy.l")),
    # ---- Not student PII
    ("pii-not-staff-names-and-emails", "student_pii",
     comment("Priya Castellanos in grade 3 won the poster contest"),
     comment("Questions about grade 3? Email Helena Marsh at helena.marsh@westbrook-sd.ca")),
    ("pii-not-office-phone-and-address", "student_pii",
     comment("Jonah Brightwater's house is 14 Larkspur Crescent, the blue one"),
     post("Grade 3 registration: call the office at 403-555-0100 or drop by 250 Cedar Hollow Way.")),
    ("pii-not-parents-own-names-and-numbers", "student_pii",
     comment("text Jonah Brightwater at 403-555-0187 about the carpool"),
     comment("This is Martin, a dad from the hockey team. Text me at 403-555-0187 about the carpool")),
    ("pii-not-journalists-numbers", "student_pii",
     comment("Savannah Kowal's number is 403-555-0166 if you need a sitter", account=IRON_IG),
     comment("Reporter with the Valley Courier here about the grade 12 walkout. Could someone call me at 403-555-0166?", account=IRON_IG)),
    ("pii-not-public-figures", "student_pii",
     post("Marcus Oyelowo's grade 9 class wrote to the mayor", account=IRON_IG),
     post("Marcus Rashford's charity sent books to our grade 9 class", account=IRON_IG)),
    ("pii-not-fictional-characters", "student_pii",
     post("Matilda in grade 4 read the most books this month!"),
     post("Grade 4 is reading Matilda by Roald Dahl this month!")),
    ("pii-not-pets", "student_pii",
     post("Ruby in grade 1 lost her first tooth today!"),
     post("Grade 1's class hamster Ruby had babies today!")),
    ("pii-not-streets-and-places", "student_pii",
     post("Ruby from grade 1 was the first one on the bus today"),
     post("Grade 1 buses are late: construction on Ruby Street again")),
    ("pii-not-businesses", "student_pii",
     post("Marcus from grade 9 is running the pizza fundraiser", account=IRON_IG),
     post("Grade 9 fundraiser at Marcus's Pizza this Friday!", account=IRON_IG)),
    ("pii-not-adult-alumni", "student_pii",
     post("Congrats to Grade 12 student Jasmine Okafor on her scholarship!", account=IRON_IG),
     post("Congrats to alumna Jasmine Okafor, Grade 12 class of 2008, on her Olympic medal!", account=IRON_IG)),
    ("pii-not-handles-without-full-name", "student_pii",
     comment("@savannahkowal12 see u at practice", account=IRON_IG),
     comment("@savvy_12 see u at practice", account=IRON_IG)),
    ("pii-not-unnamed-students", "student_pii",
     post("Jonah in grade 3 has head lice; please check your child."),
     post("A grade 3 student has head lice; please check your child.")),

    # ---- photo_no_consent (items with media only)
    ("photo-tagged-student-whatever-the-consent", "photo_no_consent",
     post("Great assembly!", consent="on-file", media=photo(f"A girl at a podium, {FACE}", tagged=("Priya Castellanos",))),
     post("Great assembly!", consent="on-file", media=photo(f"Our principal at a podium, {FACE}", tagged=("Helena Marsh",)))),
    ("photo-name-from-text-in-the-image", "photo_no_consent",
     post("Spirit day!", consent="on-file", media=photo(f"A boy holding a sign that reads GO JONAH, {FACE}")),
     post("Spirit day!", consent="on-file", media=photo(f"A girl holding a sign that reads GO PRIYA, {FACE}"))),
    ("photo-first-name-resolves-within-the-posting-school", "photo_no_consent",
     post("Noor showing her chemistry project", account=IRON_IG, consent="on-file", media=photo(f"A Grade 10 girl beside a poster, {FACE}")),
     post("Noor showing her sunflower drawing", account=CEDAR_FB, consent="on-file", media=photo(f"A Grade 2 girl beside a drawing, {FACE}"))),
    ("photo-accented-first-name-resolves", "photo_no_consent",
     post("Zoë and her robot!", consent="on-file", media=photo(f"A Grade 4 girl holding a robot, {FACE}")),
     post("Priya and her robot!", consent="on-file", media=photo(f"A Grade 3 girl holding a robot, {FACE}"))),
    ("photo-named-student-consent-no", "photo_no_consent",
     post("Jonah and his volcano 🌋", consent="on-file", media=photo(f"A Grade 3 boy beside a volcano model, {FACE}")),
     post("Priya and her volcano 🌋", consent="on-file", media=photo(f"A Grade 3 girl beside a volcano model, {FACE}"))),
    ("photo-named-student-consent-lapsed", "photo_no_consent",
     post("Matilda at the book fair", consent="on-file", created=datetime(2025, 9, 15, tzinfo=timezone.utc),
          media=photo(f"A Grade 4 girl holding a book, {FACE}")),
     post("Matilda at the book fair", consent="on-file", created=datetime(2025, 3, 15, tzinfo=timezone.utc),
          media=photo(f"A Grade 4 girl holding a book, {FACE}"))),
    ("photo-limited-consent-with-name", "photo_no_consent",
     post("Felix's bridge held 40 pennies!", consent="on-file", media=photo(f"A Grade 5 boy beside a paper bridge, {FACE}")),
     post("Our Grade 5 bridge builders!", consent="on-file", media=photo(f"A Grade 5 boy beside a paper bridge, {FACE}"))),
    ("photo-named-student-not-on-the-roster", "photo_no_consent",
     post("Congratulations to Grade 3 student Lucia Ferrante on her art award!", consent="on-file",
          media=photo(f"A girl holding a certificate, {FACE}")),
     post("Thank you to author Lucia Ferrante for visiting our Grade 3 class!", consent="on-file",
          media=photo("An adult woman reading a book to a group of students, faces visible"))),
    ("photo-consent-no-named-beside-their-work", "photo_no_consent",
     post("Jonah's clay turtle is in the front showcase!", media=photo("A clay turtle on a shelf; no people")),
     post("Priya's clay turtle is in the front showcase!", media=photo("A clay turtle on a shelf; no people"))),
    ("photo-roster-overrides-on-file", "photo_no_consent",
     post("Savannah at the grad photo booth 🎓", account=IRON_IG, consent="on-file", media=photo(f"A Grade 12 girl in a grad cap, {FACE}")),
     post("Marcus at the science photo booth 🔬", account=IRON_IG, consent="on-file", media=photo(f"A Grade 9 boy in goggles, {FACE}"))),
    ("photo-unnamed-identifiable-students", "photo_no_consent",
     post("Pumpkin patch day!", media=photo("Grade 2 students holding pumpkins, faces visible")),
     post("Pumpkin patch day!", consent="on-file", media=photo("Grade 2 students holding pumpkins, faces visible"))),
    ("photo-every-depicted-student-named-with-yes", "photo_no_consent",
     post("Priya and friends reading their poems", media=photo("Three Grade 3 students reading at a podium, faces visible")),
     post("Priya reading her poem at the assembly", media=photo(f"A Grade 3 girl reading at a podium, {FACE}"))),
    ("photo-not-identifiable-people", "photo_no_consent",
     post("Walking to the park!", media=photo("Grade 1 students walking hand in hand, faces visible")),
     post("Walking to the park!", media=photo("Grade 1 students walking away from the camera, only backs visible"))),
    ("photo-not-staff-only", "photo_no_consent",
     post("Our PD day!", media=photo("Six students and two teachers smiling, faces visible")),
     post("Our PD day!", media=photo("Six adult staff members smiling at a workshop, faces visible"))),
    ("photo-not-artwork", "photo_no_consent",
     post("Grade 4 self-portraits!", media=photo("Grade 4 students holding their self-portraits, faces visible")),
     post("Grade 4 self-portraits!", media=photo("Self-portrait paintings on a hallway wall; no people"))),
    ("photo-not-buildings", "photo_no_consent",
     post("The new gym is open!", media=photo("Students playing dodgeball in the new gym, faces visible")),
     post("The new gym is open!", media=photo("The empty new gymnasium seen from the bleachers"))),
    ("photo-not-adult-alumni", "photo_no_consent",
     post("Welcome back!", account=IRON_IG, media=photo("Grade 12 students smiling with a guest, faces visible")),
     post("Welcome back alumnus Dr. Kenji Mori (Class of 2001)!", account=IRON_IG, media=photo(f"An adult man speaking at a podium, {FACE}"))),
    ("photo-comment-media-other-students", "photo_no_consent",
     comment("pics from the grade 3 zoo trip!", media=photo("A group of Grade 3 students at the zoo, faces visible")),
     comment("my daughter at her first recital 🥹", media=photo(f"A small girl dancing on stage, {FACE}"))),
    ("photo-comment-media-own-selfie", "photo_no_consent",
     comment("us at the dance lol", account=IRON_IG, author="savvy.k", media=photo("Selfie of four Grade 12 students at the dance, faces visible")),
     comment("me before the dance lol", account=IRON_IG, author="savvy.k", media=photo(f"Selfie of one teenage girl, {FACE}"))),

    # ---- harassment
    ("har-insults-aimed-at-people", "harassment",
     comment("marcus you are a pathetic loser and everyone knows it", account=IRON_IG),
     comment("this weather is pathetic, everyone knows it", account=IRON_IG)),
    ("har-threats", "harassment",
     comment("keep talking and I'm gonna break your face after school", account=IRON_IG),
     comment("this chem test is gonna break me after school 💀", account=IRON_IG)),
    ("har-veiled-threats", "harassment",
     comment("we know where you live, Mr. Pritchard. think about that", account=IRON_IG),
     # the same words in a plainly friendly sentence: bare, "we know where the rink is, Mr. Pritchard.
     # see you there" is the veiled threat's own form, and the fifth model reads it as one
     comment("no need to send directions, Mr. Pritchard, we know where the rink is. see you there for the game!", account=IRON_IG)),
    ("har-sexual-comments", "harassment",
     comment("ms marsh is so hot 🥵 i'd smash"),
     comment("the new gym floor is so hot 🔥 love it")),
    ("har-slurs-and-generalisations", "harassment",
     comment("immigrants are ruining this school, send them all back", account=IRON_IG),
     comment("newcomer families are welcome at Thursday's open house", account=IRON_IG)),
    ("har-defamatory-allegations", "harassment",
     comment("Mr. Pritchard is a thief who steals from the band fundraiser", account=IRON_IG),
     comment("someone took money from the band fundraiser box, please return it", account=IRON_IG)),
    ("har-cyberbullying-exclusion", "harassment",
     comment("nobody sit with teddy at lunch tomorrow, he's a freak", account=IRON_IG),
     comment("nobody sit on the bleachers tomorrow, they're wet", account=IRON_IG)),
    ("har-not-criticism-of-decisions", "harassment",
     comment("the superintendent is a lying idiot", account=DIVISION_FB),
     comment("The new timetable is a terrible decision and the board clearly didn't consult teachers", account=DIVISION_FB)),
    ("har-not-formal-complaints", "harassment",
     comment("Mr. Pritchard you are a disgusting creep", account=IRON_IG),
     comment("I am filing a formal complaint about how Mr. Pritchard handled the field trip.", account=IRON_IG)),
    ("har-not-reports-of-bullying", "harassment",
     comment("you're a loser and a freak, nobody wants you on the bus", account=IRON_IG),
     comment("My son is being called a loser and a freak on the bus every day. What is the school doing?", account=IRON_IG)),
    ("har-not-untargeted-profanity", "harassment",
     comment("fuck you marcus, you stupid idiot", account=IRON_IG),
     comment("holy shit that concert was fucking amazing", account=IRON_IG)),
    ("har-not-sports-trash-talk", "harassment",
     comment("I'm gonna break your face after the game Friday", account=IRON_IG),
     comment("we're gonna destroy Riverside on Friday 🏀🔥", account=IRON_IG)),
    ("har-not-slang-compliments", "harassment",
     comment("teddy is an ugly loser lol nobody likes him", account=IRON_IG),
     comment("teddy is a beast on the ice, that goal was sick", account=IRON_IG)),
    ("har-not-quoted-insults-in-a-lesson", "harassment",
     comment("hope you learned your lesson, loser. nobody wants you here", account=IRON_IG),
     post('In our kindness lesson students listed words that hurt, like "loser" and "freak", and rewrote them.', account=IRON_IG)),

    # ---- media_inquiry
    ("mi-reporter-asks-for-comment", "media_inquiry",
     comment("Hi, this is Alana Kerr from the Valley Courier. Could someone from the division comment on the bus driver shortage?", account=DIVISION_FB),
     comment("Did anyone see the Valley Courier story on the bus driver shortage? Will the division do something?", account=DIVISION_FB)),
    ("mi-outlet-asks-for-an-interview", "media_inquiry",
     comment("CKRV Radio here. We'd like to interview your principal about the new garden.", account=IRON_IG),
     comment("Heard about the new garden on CKRV Radio this morning, so cool!", account=IRON_IG)),
    ("mi-podcast-invitation", "media_inquiry",
     comment("I produce The Staffroom podcast. Would your principal be a guest on an episode about four-day weeks?", account=IRON_IG),
     comment("Loved The Staffroom podcast episode on four-day weeks, worth a listen!", account=IRON_IG)),
    ("mi-magazine-asks-for-a-photo", "media_inquiry",
     comment("I'm an editor at Prairie Family Magazine and we'd love a photo of your mural for our spring issue."),
     post("Our mural made it into Prairie Family Magazine's spring issue! 🎨")),
    ("mi-freelance-writer-asks-for-data", "media_inquiry",
     comment("Freelance writer here, working on a piece about lunch programs. Can the division share how many students use yours?", account=DIVISION_FB),
     comment("I freelance for a few papers but I'm asking as a mom: is the lunch program free?", account=DIVISION_FB)),
    ("mi-external-student-journalist", "media_inquiry",
     comment("Hi! I'm a journalism student at Mount Royal University writing for The Reflector. Could I interview a teacher about your robotics team?", account=IRON_IG),
     post("The Ironwood Insider, our student newspaper, is looking for grade 12s to interview about grad!", account=IRON_IG)),
    ("mi-asks-for-confirmation", "media_inquiry",
     comment("Global News here. Can you confirm a lockdown happened at Ironwood this morning?", account=IRON_IG),
     comment("Is it true there was a lockdown at Ironwood this morning? My kid texted me", account=IRON_IG)),
    ("mi-asks-permission-to-use-content", "media_inquiry",
     comment("Hi, I'm a producer at CTV Calgary. May we use your video of the choir in tonight's broadcast?", account=IRON_IG),
     comment("Can I share your choir video on my Facebook? So proud of these kids!", account=IRON_IG)),
    ("mi-follows-up-on-a-request", "media_inquiry",
     comment("Following up on my request from Monday for comment on the boundary review. Jen Ruiz, Calgary Herald", account=DIVISION_FB),
     comment("Following up on my question from Monday: when is the boundary review meeting?", account=DIVISION_FB)),
    ("mi-not-tagging-outlets", "media_inquiry",
     comment("Reporter at CityNews Calgary here: could someone comment on the portable shortage?", account=DIVISION_FB),
     comment("@CityNewsCalgary @CBCCalgary you should really cover the portable shortage!!", account=DIVISION_FB)),
    ("mi-not-shared-articles", "media_inquiry",
     comment("Writer with the Calgary Herald here. Could we get a quote on the robotics team's win?", account=IRON_IG),
     comment("Great read in the Calgary Herald today about the robotics team: calgaryherald.com/robotics", account=IRON_IG)),
    ("mi-not-reporters-thanking", "media_inquiry",
     comment("CTV Calgary here: could we film the choir rehearsal on Thursday?", account=IRON_IG),
     comment("Thanks to everyone at Ironwood for having us! Our segment on the choir airs tonight at 6. - CTV Calgary", account=IRON_IG)),
    ("mi-not-the-schools-own-student-newspaper", "media_inquiry",
     comment("I write for the Valley Courier. Could we talk to a student about the grad trip?", account=IRON_IG),
     comment("hi! I'm an editor for the Ironwood Insider, our school paper. Could a teacher talk to us about the grad trip?", account=IRON_IG, author="insider.editor")),

    # ---- confidential
    ("conf-password", "confidential",
     post("Library computers this week: password is Owls#2025"),
     post("Forgot your library password? Click 'Forgot password' on the login page.")),
    ("conf-class-join-code", "confidential",
     post("Grade 9 science Google Classroom join code: x7k2pq", account=IRON_IG),
     post("Ask your science teacher for your Google Classroom join code.", account=IRON_IG)),
    ("conf-meeting-passcode-for-class-or-staff", "confidential",
     post("Staff meeting Zoom passcode 448812, see you at 3:30", account=IRON_IG),
     post("Parent council tonight, everyone welcome! Join online, passcode 551200", account=IRON_IG)),
    ("conf-stream-key", "confidential",
     post("Stream key for the grad livestream: rtmp-9f8e7d", account=IRON_IG),
     post("Watch the grad livestream at youtube.com/ironwoodsecondary", account=IRON_IG)),
    ("conf-door-or-alarm-code", "confidential",
     post("Alarm code for the gym is 4471*, don't lose it", account=IRON_IG),
     post("The gym alarm went off during the dance, sorry for the noise", account=IRON_IG)),
    ("conf-locker-combination", "confidential",
     post("Locker 214 combination 12-30-04 for the new student", account=IRON_IG),
     post("Locker combinations are handed out in homeroom on Monday", account=IRON_IG)),
    ("conf-drill-timing-and-code-words", "confidential",
     post("Lockdown drill is Thursday at 10:15, don't tell the students", account=IRON_IG),
     post("We practised a lockdown drill today and everyone did great", account=IRON_IG)),
    ("conf-drafts", "confidential",
     post("DRAFT statement on the boundary change, not for distribution yet", account=DIVISION_FB),
     post("The final boundary decision is now posted on our website", account=DIVISION_FB)),
    ("conf-staff-only-links", "confidential",
     post("Staff only: the sub plans folder is at drive.google.com/ironwood-subs", account=IRON_IG),
     post("Families: the concert ticket link is at ironwood.ca/tickets", account=IRON_IG)),
    ("conf-exam-content", "confidential",
     post("Math 10 final exam answers for tomorrow: 1b 2c 3a 4d", account=IRON_IG),
     post("The Math 10 final exam is tomorrow at 9 in the gym, bring a calculator", account=IRON_IG)),
    ("conf-personnel-matters", "confidential",
     comment("Mr. Pritchard is on administrative leave pending an investigation", account=IRON_IG),
     post("We're hiring! Ironwood is posting a full-time chemistry teacher position", account=IRON_IG)),
    ("conf-student-records-marks", "confidential",
     post("Math 9 unit test: Marcus 48%, Teddy 91%, Rowan 67%", account=IRON_IG),
     post("Math 9 unit test average this term: 71%, up from 64%", account=IRON_IG)),
    ("conf-student-records-seating-by-number", "confidential",
     post("Exam seating by student number: 8420001 front row, 8420003 back row", account=IRON_IG),
     post("Exam seating: front rows for grade 10, back rows for grade 12", account=IRON_IG)),
    ("conf-claims-presented-as-from-records", "confidential",
     comment("According to his personnel file, Mr. Pritchard was disciplined twice last year", account=IRON_IG),
     comment("Is it true Mr. Pritchard got fired?", account=IRON_IG)),
    ("conf-not-codes-meant-for-the-public", "confidential",
     post("Staff PD session: Zoom passcode 739120, staff only please", account=IRON_IG),
     post("Open house is open to all! Join online with passcode 739120", account=IRON_IG)),
    ("conf-not-reset-instructions", "confidential",
     post("Students: your new portal password is Ironwood!2025 until you change it", account=IRON_IG),
     post("Students: to reset your portal password, go to the portal and click 'Forgot password'", account=IRON_IG)),
    ("conf-not-job-postings", "confidential",
     comment("Ms. Nandakumar was let go after the audit, keep it quiet", account=IRON_IG),
     post("Job posting: Ironwood Secondary is hiring an educational assistant, apply by May 1", account=IRON_IG)),
    ("conf-not-rumours-asked-as-questions", "confidential",
     comment("Between us, Ms. Nandakumar is on stress leave until June", account=IRON_IG),
     comment("Is Ms. Nandakumar on leave? Haven't seen her in weeks", account=IRON_IG)),
    ("conf-not-parents-own-family-information", "confidential",
     post("Noor's behaviour plan: check-ins every 30 minutes with the EA", account=CEDAR_FB),
     comment("My daughter's behaviour plan is working so well, thank you Ms. Marsh!", account=CEDAR_FB)),
]


def kinds(findings: list) -> set[str]:
    """Categories, and category:LABEL for spanned findings (a rule about a detail, not the whole item)."""
    return {f.category for f in findings} | {f"{f.category}:{f.label}" for f in findings if f.label}


@pytest.mark.parametrize("category, positive, negative", [pytest.param(c, p, n, id=rule) for rule, c, p, n in RULES])
def test_labelling_rule(westbrook_analyzer, category, positive, negative):
    found, other = westbrook_analyzer.analyze([positive, negative])
    assert category in kinds(found), f"not flagged: {positive.text!r}"
    assert category not in kinds(other), f"flagged: {negative.text!r}"
    assert_reasons(DIRECTORY, positive, found)
    assert_reasons(DIRECTORY, negative, other)


def test_rule_ids_are_unique_and_cover_every_category():
    ids = [rule for rule, *_ in RULES]
    assert len(ids) == len(set(ids))
    assert {c.split(":")[0] for _, c, *_ in RULES} == {"student_pii", "photo_no_consent", "harassment", "media_inquiry", "confidential"}


def test_context_words_alone_are_not_spanned(westbrook_analyzer):
    it = comment("Jonah in grade 3 has an inhaler in his bag")
    spans = {(it.text[f.start:f.end], f.label) for f in westbrook_analyzer.analyze([it])[0] if f.start is not None}
    assert ("Jonah", "STUDENT_NAME") in spans and ("inhaler", "HEALTH") in spans
    assert not any("grade" in text.lower() for text, _ in spans)


# The kinds the held-out set missed, in other wordings: built for the kind, each should hold for any of them.
OTHER_WORDINGS = [
    # named students not on the roster, and the adults who are not students
    ("unlisted-cue-in-the-next-sentence", True, "photo_no_consent",
     post("Way to go, Amelia Chen! Our Grade 6 science fair winner 🏆", consent="on-file", media=photo(f"A girl holding a trophy, {FACE}"))),
    ("unlisted-named-in-alt-text", True, "photo_no_consent",
     post("Science fair winner!", consent="on-file", media=photo(f"Amelia Chen, a Grade 6 student, holding her trophy, {FACE}"))),
    ("unlisted-student-of-the-month", True, "photo_no_consent",
     post("Student of the Month: Diego Alvarez! 🌟", account=IRON_IG, consent="on-file", media=photo(f"A teenage boy with a certificate, {FACE}"))),
    ("unlisted-new-staff-member", False, "photo_no_consent",
     post("Welcome our new EA, Sarah Kim! Our Grade 2 students made her a card", consent="on-file",
          media=photo("An adult woman holding a card with students, faces visible"))),
    ("unlisted-coach", False, "photo_no_consent",
     post("Thanks to Coach Amy Liu and our Grade 6 volleyball team!", consent="on-file", media=photo("A team of students with their coach, faces visible"))),
    ("unlisted-politician", False, "photo_no_consent",
     post("Grade 6 students met MLA Tom Hardy at the legislature", consent="on-file", media=photo("Students with a man in a suit, faces visible"))),
    # a student without consent named beside their work
    ("work-first-name-and-initial", True, "photo_no_consent", post("Artwork by Jonah B., Grade 3 🎨", media=photo("A painting of a fox; no people"))),
    ("work-lower-case-first-name", True, "photo_no_consent", post("This poem by jonah made us cry 💙", media=photo("A handwritten poem on lined paper"))),
    ("work-full-name", True, "photo_no_consent",
     post("Congrats to Jonah Brightwater, whose poem won the library contest!", media=photo("A handwritten poem on lined paper; no people"))),
    ("work-consent-yes", False, "photo_no_consent",
     post("Congrats to Priya, whose poem won the library contest!", media=photo("A handwritten poem on lined paper; no people"))),
    ("work-possessive", True, "photo_no_consent", post("Savannah's ceramics are in the spring show", account=IRON_IG, media=photo("Three ceramic bowls on a table"))),
    # first names resolved within the posting school
    ("school-preferred-name-and-first-name", True, "photo_no_consent",
     post("Teddy and Rowan at the robotics final!", account=IRON_IG, consent="on-file", media=photo("Two boys with a robot, faces visible"))),
    ("school-both-with-consent", False, "photo_no_consent",
     post("Teddy and Marcus at the robotics final!", account=IRON_IG, consent="on-file", media=photo("Two boys with a robot, faces visible"))),
    ("school-division-account-ambiguous-name", False, "photo_no_consent",
     post("Noor at the science fair", account=DIVISION_FB, consent="on-file", media=photo(f"A girl with a poster, {FACE}"))),
    ("school-first-name-without-accent", True, "photo_no_consent",
     post("Zoe L. won the spelling bee!", consent="on-file", media=photo(f"A girl holding a ribbon, {FACE}"))),
    ("parent-own-child-named", False, "photo_no_consent", comment("my son Jonah at the pool 🥹", media=photo(f"A boy in a swimsuit, {FACE}"))),
    # student_pii
    ("misspelt-first-name", True, "student_pii", comment("go Savanah Kowal!! best goalie in the league", account=IRON_IG)),
    ("misspelt-someone-else", False, "student_pii", comment("Marcy Oyelowo is running for council", account=IRON_IG)),
    ("email-with-full-name", True, "student_pii:EMAIL", comment("email savannah.kowal@gmail.com about the sweater", account=IRON_IG)),
    ("email-first-name-only", False, "student_pii", comment("email me at rowan.designs@gmail.com for the poster files", account=IRON_IG)),
    ("phone-spelt-out-other-grouping", True, "student_pii:PHONE", comment("Rowan Tate: six four seven, five five five, two two one nine", account=IRON_IG)),
    ("partial-address-lives-off", True, "student_pii:ADDRESS", comment("rowan tate lives off Quarry Ridge Road near the school", account=IRON_IG)),
    ("pet-guinea-pig", False, "student_pii", post("Our class guinea pig Felix is going home with a Grade 5 family for spring break")),
    ("fiction-movie", False, "student_pii", post("Grade 3 loved watching the movie Matilda today")),
    ("business-possessive", False, "student_pii", post("Grade 5 pizza lunch is catered by Jonah's Kitchen this week")),
    ("business-unlisted-name", False, "student_pii", post("Thanks to Ruby Cafe for the Grade 1 cookies!")),
    ("alumni-grad-of", False, "student_pii", post("Ironwood grad Daniela Ortiz (Class of 2011) talked to our Grade 11 physics class today", account=IRON_IG)),
    ("unlisted-current-student", True, "student_pii", post("Grade 11 student Daniela Ortiz won the provincial physics prize", account=IRON_IG)),
    ("age-after-a-name", True, "student_pii", comment("Felix is 10 and already beats me at chess")),
    ("ticket-number", False, "student_pii", post("Ticket #8420999 won the 50/50 draw!", account=IRON_IG)),
    # media_inquiry
    ("reporter-covers-education", True, "media_inquiry",
     comment("Hello! My name is Priti Shah and I cover education for the Lethbridge Herald. Is there someone I could speak with about the four-day week?", account=DIVISION_FB)),
    ("tv-segment-filming", True, "media_inquiry",
     comment("Good afternoon, I'm putting together a segment for Breakfast Television on school gardens. Would Cedar Hollow be open to us filming Thursday?")),
    ("follow-up-signed-with-outlet", True, "media_inquiry",
     comment("Just circling back on my interview request from last week, deadline is Friday. - Mark, CBC Calgary", account=DIVISION_FB)),
    ("external-student-paper", True, "media_inquiry",
     comment("hi this is the UofC Gauntlet student paper, could we get a quote from a teacher on the strike?", account=IRON_IG)),
    ("spouse-of-a-reporter", False, "media_inquiry", comment("My husband is a reporter but I'm just asking: is the school closed tomorrow?")),
    ("parent-citing-the-news", False, "media_inquiry", comment("Saw this on CTV news, can the school tell parents what is going on???", account=IRON_IG)),
    ("outlet-page-comments-as-itself", True, "media_inquiry",
     comment("Could the principal comment on this morning's lockdown?", account=IRON_IG, author="CityNews Calgary")),
    ("reporter-signs-name-and-outlet", True, "media_inquiry",
     comment("Is anyone available to talk about the new bell schedule today?", account=IRON_IG, author="Dana Whitlock | Prairie Ledger")),
    ("parent-asks-the-same", False, "media_inquiry",
     comment("Could the principal comment on this morning's lockdown?", account=IRON_IG, author="Sunny Patel")),
    ("outlet-page-congratulates", False, "media_inquiry",
     comment("Congratulations to the class of 2025!", account=IRON_IG, author="Valley Courier")),
    ("reporter-thanking", False, "media_inquiry", comment("Thank you for speaking with us for our story, it airs at 6 on Global!", account=IRON_IG)),
    # confidential
    ("copier-and-door-codes", True, "confidential", post("Sub teachers: the copier code is 4417 and the staffroom door is 2580", account=IRON_IG)),
    ("class-game-pin", True, "confidential", post("Today's Kahoot for Gr 9 science, game PIN 882 1173", account=IRON_IG)),
    ("public-game-pin", False, "confidential", post("Our Kahoot night is open to all families! Game PIN will be shown on screen", account=IRON_IG)),
    ("code-word-for-a-hold", True, "confidential", post("Reminder staff: hold and secure code word this term is 'Operation Maple'", account=IRON_IG)),
    ("staff-member-disciplined", True, "confidential",
     comment("Ms. Nandakumar is being investigated for something, she's suspended until it's over", account=IRON_IG)),
    ("staff-discipline-asked", False, "confidential", comment("Did Ms. Nandakumar get suspended??", account=IRON_IG)),
    ("parent-own-childs-iep", False, "confidential", comment("My son has ADHD and his IEP meeting is next week, any tips?", account=IRON_IG)),
]


@pytest.mark.parametrize("expected, category, it", [pytest.param(e, c, i, id=k) for k, e, c, i in OTHER_WORDINGS])
def test_the_missed_kinds_in_other_wordings(westbrook_analyzer, expected, category, it):
    found = westbrook_analyzer.analyze([it])[0]
    assert (category in kinds(found)) is expected, it.text
    assert_reasons(DIRECTORY, it, found)
