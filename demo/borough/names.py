"""Name pools for invented people.

Common first names and surnames from the communities of an English town; every person is a
random combination, so no pairing is meant to be a real person. Pools are grouped by heritage so
a family's names fit together, and so names do not contradict the recorded ethnicity.
"""

from __future__ import annotations

import random

from people.codes import Ethnicity


def _pool(words: str, sep: str | None = None) -> tuple[str, ...]:
    """Names from one long string: easier to read and edit than a column of quoted names."""
    return tuple(word.strip() for word in words.split(sep))


BRITISH = "british"
EUROPEAN = "european"
SOUTH_ASIAN = "south_asian"
MUSLIM_SOUTH_ASIAN = "muslim_south_asian"
EAST_ASIAN = "east_asian"
WEST_AFRICAN = "west_african"
EAST_AFRICAN = "east_african"
CARIBBEAN = "caribbean"
ARAB = "arab"

MALE_NAMES: dict[str, tuple[str, ...]] = {
    BRITISH: _pool(
        "Jack Harry Charlie Oliver George Alfie Jacob Thomas Liam Connor Callum Kyle Tyler Reece "
        "Bradley Jordan Lewis Ryan Mason Logan Riley Kai Leo Finley Archie Ethan Dylan Jake Owen "
        "Ben Sean Ciaran Declan Aaron Luke Jamie Nathan Danny"
    ),
    EUROPEAN: _pool(
        "Jakub Kacper Szymon Mateusz Filip Andrei Mihai Darius Ionut Lukas Tomas Mantas Joao "
        "Tiago Rafael Marko Nikola Emil Dawid Bartosz Stefan Adrian Denis Vlad"
    ),
    SOUTH_ASIAN: _pool(
        "Arjun Rohan Aarav Dev Kiran Vikram Harjit Gurpreet Jasdeep Ravi Sanjay Nikhil Amar Rahul "
        "Manpreet Sunil Karan Vivek"
    ),
    MUSLIM_SOUTH_ASIAN: _pool(
        "Mohammed Ibrahim Yusuf Hamza Ayaan Zain Bilal Imran Usman Adnan Rayan Hassan Ali Faisal "
        "Sami Tariq Shahid Rizwan Abdul Saif Kamran Aqib"
    ),
    EAST_ASIAN: _pool("Wei Jun Hao Kevin Ming Chen Tony Jason Lok Kai Eric Yi"),
    WEST_AFRICAN: _pool(
        "Tobi Femi Kwame Kofi Tunde Chidi Emeka David Daniel Samuel Joshua Michael Isaac Elijah "
        "Ayo Kayode Obinna Segun"
    ),
    EAST_AFRICAN: _pool(
        "Abdi Mohamed Yonas Dawit Samir Ahmed Hassan Musa Bereket Filmon Omar Liban"
    ),
    CARIBBEAN: _pool(
        "Jermaine Tyrone Marcus Andre Dwayne Kemar Rashawn Jaden Kyrie Malik Shaquille Devante "
        "Tristan Nathaniel Isaiah Jayden Josiah Romario"
    ),
    ARAB: _pool("Omar Ahmed Khalid Youssef Karim Tariq Nabil Rami Amir"),
}

FEMALE_NAMES: dict[str, tuple[str, ...]] = {
    BRITISH: _pool(
        "Olivia Amelia Isla Ava Emily Sophie Grace Lily Chloe Ella Jessica Megan Holly Courtney "
        "Shannon Paige Chelsea Kayleigh Jade Leah Niamh Caitlin Erin Ruby Poppy Evie Millie Freya "
        "Lacey Demi Tia Abbie Hannah Rebecca Laura Siobhan"
    ),
    EUROPEAN: _pool(
        "Zuzanna Julia Maja Natalia Oliwia Ioana Andreea Maria Elena Ieva Gabija Ana Beatriz Ines "
        "Daria Alexandra Kinga Roxana"
    ),
    SOUTH_ASIAN: _pool(
        "Priya Anika Simran Kiran Jaspreet Navdeep Asha Meera Riya Divya Harleen Pooja Sana Tara"
    ),
    MUSLIM_SOUTH_ASIAN: _pool(
        "Aisha Fatima Maryam Zara Hafsa Amina Safiya Iqra Sadia Nadia Ayesha Khadija Hana "
        "Rukhsana Shabana Laila"
    ),
    EAST_ASIAN: _pool("Mei Lin Xin Jenny Amy Yan Hui Ling Grace Ying"),
    WEST_AFRICAN: _pool(
        "Adaeze Chioma Funmi Abena Ama Blessing Precious Esther Favour Tolu Deborah Grace Joy "
        "Nneka Yetunde"
    ),
    EAST_AFRICAN: _pool("Hodan Ayan Fardowsa Hiwot Selam Ruth Sahra Nasra Saba Filmona"),
    CARIBBEAN: _pool(
        "Shanice Tanisha Keisha Jada Aaliyah Naomi Kiara Shantelle Tiana Jasmine Maya Nia Renee "
        "Simone"
    ),
    ARAB: _pool("Layla Noor Yasmin Rania Salma Dina Mariam Hala"),
}

SURNAMES: dict[str, tuple[str, ...]] = {
    BRITISH: _pool(
        "Smith Jones Taylor Brown Wilson Evans Walker Wright Thompson Robinson Hughes Edwards "
        "Green Hall Wood Harris Clarke Turner Hill Moore Cooper Ward Morris King Baker Carter "
        "Parker Mitchell Price Bennett Shaw Lloyd Murphy Kelly Doyle Byrne Gallagher Quinn "
        "Fletcher Hayes Marsden Pearce Holt Barker"
    ),
    EUROPEAN: _pool(
        "Nowak Kowalczyk Wisniewski Wojcik Kaminski Lewandowski Popescu Ionescu Dumitru Stan "
        "Kazlauskas Petrauskas Silva Santos Ferreira Costa Horvat Novak Balogh Ivanov"
    ),
    SOUTH_ASIAN: _pool(
        "Patel Sharma Sohal Virdi Gill Sandhu Dhillon Mistry Mehta Joshi Chauhan Bains Sidhu Parmar"
    ),
    MUSLIM_SOUTH_ASIAN: _pool(
        "Khan Hussain Ahmed Ali Iqbal Akhtar Rahman Siddiqui Uddin Miah Chowdhury Mahmood Butt "
        "Malik Raza Qureshi Hanif"
    ),
    EAST_ASIAN: _pool("Chen Wong Li Zhang Liu Lam Cheung Ng Tang Ho"),
    WEST_AFRICAN: _pool(
        "Okoro Adewale Mensah Boateng Owusu Asante Okonkwo Eze Adebayo Oladipo Nwosu Appiah "
        "Danso Ogunleye Bello"
    ),
    EAST_AFRICAN: _pool("Abdullahi Warsame Farah Hersi Tesfaye Gebre Haile Tekle Osman Jama"),
    CARIBBEAN: _pool(
        "Campbell Williams Grant Francis Brown Thomas Johnson Graham Clarke Henry Samuels Bailey "
        "Gordon Morgan Lewis Stewart"
    ),
    ARAB: _pool("Haddad Hassan Mansour Saleh Nasser Khalil Aziz Hamdan"),
}

HERITAGE_BY_ETHNICITY: dict[str, tuple[str, ...]] = {
    Ethnicity.WHITE_BRITISH: (BRITISH,),
    Ethnicity.WHITE_IRISH: (BRITISH,),
    Ethnicity.WHITE_GYPSY_TRAVELLER: (BRITISH,),
    Ethnicity.WHITE_ROMA: (EUROPEAN,),
    Ethnicity.WHITE_OTHER: (EUROPEAN,),
    Ethnicity.ASIAN_INDIAN: (SOUTH_ASIAN,),
    Ethnicity.ASIAN_PAKISTANI: (MUSLIM_SOUTH_ASIAN,),
    Ethnicity.ASIAN_BANGLADESHI: (MUSLIM_SOUTH_ASIAN,),
    Ethnicity.ASIAN_CHINESE: (EAST_ASIAN,),
    Ethnicity.ASIAN_OTHER: (SOUTH_ASIAN, EAST_ASIAN),
    Ethnicity.BLACK_AFRICAN: (WEST_AFRICAN, EAST_AFRICAN),
    Ethnicity.BLACK_CARIBBEAN: (CARIBBEAN,),
    Ethnicity.BLACK_OTHER: (CARIBBEAN, WEST_AFRICAN),
    # Mixed heritage: names may come from either side of the family.
    Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN: (BRITISH, CARIBBEAN),
    Ethnicity.MIXED_WHITE_BLACK_AFRICAN: (BRITISH, WEST_AFRICAN),
    Ethnicity.MIXED_WHITE_ASIAN: (BRITISH, SOUTH_ASIAN, MUSLIM_SOUTH_ASIAN),
    Ethnicity.MIXED_OTHER: (BRITISH, EUROPEAN, CARIBBEAN),
    Ethnicity.OTHER_ARAB: (ARAB,),
    Ethnicity.OTHER_ANY: (ARAB, EAST_AFRICAN, EUROPEAN),
    Ethnicity.REFUSED: (BRITISH, EUROPEAN, CARIBBEAN),
    Ethnicity.NOT_OBTAINED: (BRITISH, EUROPEAN, CARIBBEAN, MUSLIM_SOUTH_ASIAN),
}

# A plausible urban English mix (per cent), loosely after the 2021 census for towns of this size.
ETHNICITY_MIX: tuple[tuple[str, float], ...] = (
    (Ethnicity.WHITE_BRITISH, 55.0),
    (Ethnicity.WHITE_IRISH, 1.0),
    (Ethnicity.WHITE_GYPSY_TRAVELLER, 0.6),
    (Ethnicity.WHITE_ROMA, 0.6),
    (Ethnicity.WHITE_OTHER, 8.5),
    (Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN, 3.0),
    (Ethnicity.MIXED_WHITE_BLACK_AFRICAN, 1.2),
    (Ethnicity.MIXED_WHITE_ASIAN, 1.5),
    (Ethnicity.MIXED_OTHER, 1.5),
    (Ethnicity.ASIAN_INDIAN, 4.0),
    (Ethnicity.ASIAN_PAKISTANI, 4.0),
    (Ethnicity.ASIAN_BANGLADESHI, 2.0),
    (Ethnicity.ASIAN_CHINESE, 1.0),
    (Ethnicity.ASIAN_OTHER, 1.8),
    (Ethnicity.BLACK_AFRICAN, 5.0),
    (Ethnicity.BLACK_CARIBBEAN, 3.0),
    (Ethnicity.BLACK_OTHER, 1.3),
    (Ethnicity.OTHER_ARAB, 1.0),
    (Ethnicity.OTHER_ANY, 1.5),
    (Ethnicity.REFUSED, 0.5),
    (Ethnicity.NOT_OBTAINED, 2.0),
)

# First languages other than English, by heritage, for the minority who have one.
LANGUAGES: dict[str, tuple[str, ...]] = {
    BRITISH: ("English",),
    EUROPEAN: ("Polish", "Romanian", "Lithuanian", "Portuguese", "Romani"),
    SOUTH_ASIAN: ("Punjabi", "Gujarati", "Hindi"),
    MUSLIM_SOUTH_ASIAN: ("Urdu", "Bengali", "Punjabi"),
    EAST_ASIAN: ("Cantonese", "Mandarin"),
    WEST_AFRICAN: ("Yoruba", "Twi", "Igbo"),
    EAST_AFRICAN: ("Somali", "Tigrinya", "Amharic"),
    CARIBBEAN: ("English",),
    ARAB: ("Arabic",),
}

# Short forms people actually go by; anyone else gets a nickname from the pool below.
SHORT_FORMS: dict[str, str] = {
    "Mohammed": "Mo",
    "Mohamed": "Mo",
    "Jacob": "Jake",
    "Thomas": "Tom",
    "Nathaniel": "Nate",
    "Jermaine": "Maine",
    "Nathan": "Nate",
    "Rebecca": "Becca",
    "Jessica": "Jess",
    "Alexandra": "Alex",
    "Oluwatobi": "Tobi",
    "Ibrahim": "Ibby",
    "Bradley": "Brad",
    "Courtney": "Court",
    "Shannon": "Shan",
    "Isaiah": "Zai",
    "Josiah": "Jos",
    "Elijah": "Eli",
    "Samuel": "Sam",
    "Daniel": "Dan",
    "Michael": "Mikey",
    "Abdullahi": "Abdi",
    "Kayleigh": "Kay",
    "Tanisha": "Tish",
    "Shantelle": "Shanny",
    "Hamza": "Hamz",
    "Oliver": "Ollie",
    "Alfie": "Alf",
    "Finley": "Finn",
    "Charlie": "Chaz",
    "Gabija": "Gabi",
    "Zuzanna": "Zuza",
    "Aaliyah": "Liyah",
}
NICKNAMES = ("Jay", "Dee", "Kaz", "Tee", "Bee", "Jojo", "Kiki", "Ace", "Junior", "Sunny", "Red")

# Street names and aliases adults of concern (and some young people) are known by.
ALIASES = _pool(
    "Blue, Mack, Stretch, Bigs, Slim, Ghost, Lucky, Chops, Dutch, Spider, Frosty, Tank, "
    "Shadow, Nines, Mister T, Little D, Young K, Benz, Smokey, Deuce, Sparks, Snoop, "
    "Ratty, Storm, Peanut, Milo, Rocco, Trigger, Vee, Zee, Kilo, Ozzy, Bugsy, Flash, "
    "Digger, Ricco, Tiny, Moose, Cash, Gus",
    sep=",",
)


def heritage_for(rng: random.Random, ethnicity: str) -> str:
    return rng.choice(HERITAGE_BY_ETHNICITY[ethnicity])


def given_name(rng: random.Random, heritage: str, sex: str) -> str:
    if sex == "female":
        return rng.choice(FEMALE_NAMES[heritage])
    if sex == "male":
        return rng.choice(MALE_NAMES[heritage])
    return rng.choice(FEMALE_NAMES[heritage] + MALE_NAMES[heritage])


def family_name(rng: random.Random, heritage: str) -> str:
    return rng.choice(SURNAMES[heritage])


def known_as(rng: random.Random, name: str) -> str:
    return SHORT_FORMS.get(name) or rng.choice(NICKNAMES)


def initials(rng: random.Random) -> str:
    """Initials as written on a peer map: "T.B."."""
    letters = "ABCDEFGHIJKLMNOPRSTWY"
    return f"{rng.choice(letters)}.{rng.choice(letters)}."
