"""Vocabularies shared by the detectors: the kind of words that make a mention identifying or sensitive."""

TITLES = ["mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "mme", "mme.", "dr", "dr.", "coach", "principal", "trustee",
          "superintendent", "sir", "madame", "mx", "mx.", "professor", "prof", "prof.", "elder", "pastor", "father", "sister"]

# health, medication, diagnoses, IEP and learning support, behaviour plans (span label HEALTH)
HEALTH_TERMS = [
    "allergy", "allergies", "allergic", "anaphylactic", "anaphylaxis", "epipen", "epi-pen", "inhaler", "asthma", "asthmatic",
    "adhd", "add", "autism", "autistic", "asd", "diabetes", "diabetic", "insulin", "seizure", "seizures", "epilepsy",
    "epileptic", "concussion", "surgery", "medication", "medications", "meds", "ritalin", "diagnosis", "diagnosed",
    "anxiety", "depression", "depressed", "ocd", "dyslexia", "dyslexic", "iep", "ieps", "therapy", "therapist",
    "counsellor", "counselor", "counselling", "counseling", "hospital", "hospitalized", "hospitalised", "cancer",
    "chemo", "chemotherapy", "broken arm", "broken leg", "broke his arm", "broke her arm", "injury", "injured",
    "learning support", "learning disability", "intervention", "intervention group", "resource room", "speech therapy",
    "behaviour plan", "behavior plan", "behaviour support", "behavior support", "eating disorder", "self-harm",
    "suicidal", "mental health", "sick", "illness", "flu", "covid", "lice", "head lice", "reading level", "pregnant",
    "wheelchair", "hearing aid", "cochlear", "stitches", "fracture", "fractured", "sprained", "asthma attack",
]
# discipline, marks, religion, gender identity, custody or pickup, locker combinations (OTHER_PII)
OTHER_TERMS = [
    "suspended", "suspension", "expelled", "expulsion", "detention", "discipline", "disciplined", "in trouble",
    "fire alarm", "vandalism", "vandalized", "caught vaping", "vaping", "fight", "fighting", "punished", "punishment",
    "failing", "failed", "flunking", "report card", "marks", "mark", "grades", "gpa", "honour roll", "honor roll",
    "custody", "custody order", "restraining order", "pickup", "pick up", "pick-up", "picked up", "not allowed to pick",
    "muslim", "christian", "jewish", "hindu", "sikh", "catholic", "religion", "religious", "transgender", "trans",
    "nonbinary", "non-binary", "pronouns", "gay", "lesbian", "bisexual", "locker combination", "locker combo",
    "foster", "foster care", "social worker", "absent", "truant", "attendance",
]
CLASS_SUBJECTS = ["science", "sci", "math", "maths", "chem", "chemistry", "bio", "biology", "physics", "ela", "english",
                  "french", "social", "socials", "history", "phys ed", "pe", "art", "music", "band", "drama", "cs",
                  "computing", "cte", "foods", "shop"]
SCHOOL_GENERIC = {"school", "elementary", "junior", "senior", "high", "composite", "middle", "secondary", "public",
                  "catholic", "academy", "collegiate", "community", "division", "office", "the", "of", "jr", "sr"}
# first names that are also ordinary words: only a capitalised mention counts
WORD_NAMES = {"grace", "hope", "faith", "joy", "will", "mark", "bill", "may", "june", "april", "rose", "summer",
              "autumn", "sky", "skye", "hunter", "chase", "art", "ray", "sunny", "honey", "dawn", "hazel", "ivy",
              "jade", "river", "brooke", "drew", "cole", "reid", "park", "ash", "jack", "max", "mercy", "page",
              "paige", "sage", "storm", "west", "wren", "august", "gray", "grey", "ruby", "pearl", "amber", "lily",
              "violet", "olive", "crystal", "destiny", "harmony", "melody", "trinity", "nova", "royal", "king", "rich"}
# a first name right after these is an animal's: "our class hamster Ruby", "Max the therapy dog"
PET_WORDS = {"hamster", "gerbil", "guinea", "rabbit", "bunny", "dog", "puppy", "pup", "cat", "kitten", "fish", "goldfish", "turtle",
             "tortoise", "snake", "lizard", "gecko", "bird", "parrot", "budgie", "chicken", "chickens", "hen", "rooster", "pet",
             "mascot", "snail", "snails", "horse", "pony", "ferret", "axolotl", "hedgehog", "frog", "tarantula", "rat", "mouse"}
# a first name right after these (or before "by <Author>") is a book, film or character: "reading Matilda"
FICTION_WORDS = {"reading", "read", "reads", "reread", "book", "books", "novel", "novels", "play", "film", "movie", "musical",
                 "character", "characters", "starring", "watched", "story", "stories", "series", "chapter",
                 "author", "heroine", "hero", "villain", "role", "cast", "studying", "studied", "performing", "performed", "musical"}
# a capitalised word after a first name (or its possessive) that makes it a business: "Marcus's Pizza", "Ruby Cafe"
BUSINESS_WORDS = {"pizza", "pizzeria", "bakery", "bakeshop", "cafe", "café", "coffee", "diner", "grill", "kitchen", "restaurant",
                  "bistro", "pub", "deli", "market", "foods", "hardware", "auto", "autobody", "garage", "towing", "tire", "tires",
                  "dental", "pharmacy", "drugs", "salon", "barbershop", "barber", "spa", "books", "bookstore", "donuts", "bagels",
                  "plumbing", "electric", "construction", "landscaping", "insurance", "realty", "farm", "farms", "gym", "fitness",
                  "studio", "dance", "music", "florist", "flowers", "catering", "sushi", "tacos", "burgers", "subs", "shop", "store",
                  "inc", "ltd", "llc", "co", "company", "services", "motors", "dealership", "clinic", "vet", "veterinary"}
# adults the text celebrates as former students, never current ones
ALUMNI_CUE = r"\b(?:alumn(?:a|ae|i|us|us's)|grad(?:uate)?s? of|graduated|former students?|class of (?:19|20)\d\d|'\d\d grad)\b"
