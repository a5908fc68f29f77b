"""Code lists for people: ONS 2021 ethnicity with CIN census codes, sex, identifiers, flags."""

from __future__ import annotations

from django.db import models


class PersonKind(models.TextChoices):
    YOUNG_PERSON = "young_person", "Young person"
    ADULT_OF_CONCERN = "adult_of_concern", "Adult of concern"
    PARENT_CARER = "parent_carer", "Parent or carer"
    OTHER = "other", "Other person who matters"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INDETERMINATE = "indeterminate", "Indeterminate"
    NOT_KNOWN = "not_known", "Not known"


# CIN census gender codes: 1 male, 2 female, 9 indeterminate (0 is unborn, not used here).
CIN_GENDER = {Sex.MALE: "1", Sex.FEMALE: "2", Sex.INDETERMINATE: "9", Sex.NOT_KNOWN: "9"}


class AgeBand(models.TextChoices):
    """For when a date of birth is not known: an estimate a practitioner can stand behind."""

    UNDER_10 = "under_10", "Under 10"
    AGE_10_13 = "10_13", "10 to 13"
    AGE_14_15 = "14_15", "14 to 15"
    AGE_16_17 = "16_17", "16 to 17"
    AGE_18_21 = "18_21", "18 to 21"
    AGE_22_25 = "22_25", "22 to 25"
    ADULT_26_PLUS = "26_plus", "26 or over"


class Ethnicity(models.TextChoices):
    """ONS 2021 census categories (England and Wales); `cin_code` maps each to the CIN code."""

    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian or Asian British: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian or Asian British: Chinese"
    ASIAN_INDIAN = "asian_indian", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian or Asian British: Pakistani"
    ASIAN_OTHER = "asian_other", "Asian or Asian British: any other Asian background"
    BLACK_AFRICAN = "black_african", "Black, Black British, Caribbean or African: African"
    BLACK_CARIBBEAN = "black_caribbean", "Black, Black British, Caribbean or African: Caribbean"
    BLACK_OTHER = (
        "black_other",
        "Black, Black British, Caribbean or African: any other Black background",
    )
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed or multiple: White and Asian"
    MIXED_WHITE_BLACK_AFRICAN = (
        "mixed_white_black_african",
        "Mixed or multiple: White and Black African",
    )
    MIXED_WHITE_BLACK_CARIBBEAN = (
        "mixed_white_black_caribbean",
        "Mixed or multiple: White and Black Caribbean",
    )
    MIXED_OTHER = "mixed_other", "Mixed or multiple: any other mixed background"
    WHITE_BRITISH = "white_british", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY_TRAVELLER = "white_gypsy_traveller", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER_ANY = "other_any", "Other ethnic group: any other ethnic group"
    REFUSED = "refused", "Refused"
    NOT_OBTAINED = "not_obtained", "Information not yet obtained"


CIN_ETHNICITY = {
    Ethnicity.ASIAN_BANGLADESHI: "ABAN",
    Ethnicity.ASIAN_CHINESE: "CHNE",
    Ethnicity.ASIAN_INDIAN: "AIND",
    Ethnicity.ASIAN_PAKISTANI: "APKN",
    Ethnicity.ASIAN_OTHER: "AOTH",
    Ethnicity.BLACK_AFRICAN: "BAFR",
    Ethnicity.BLACK_CARIBBEAN: "BCRB",
    Ethnicity.BLACK_OTHER: "BOTH",
    Ethnicity.MIXED_WHITE_ASIAN: "MWAS",
    Ethnicity.MIXED_WHITE_BLACK_AFRICAN: "MWBA",
    Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN: "MWBC",
    Ethnicity.MIXED_OTHER: "MOTH",
    Ethnicity.WHITE_BRITISH: "WBRI",
    Ethnicity.WHITE_IRISH: "WIRI",
    Ethnicity.WHITE_GYPSY_TRAVELLER: "WIRT",
    Ethnicity.WHITE_ROMA: "WROM",
    Ethnicity.WHITE_OTHER: "WOTH",
    Ethnicity.OTHER_ARAB: "OOTH",
    Ethnicity.OTHER_ANY: "OOTH",
    Ethnicity.REFUSED: "REFU",
    Ethnicity.NOT_OBTAINED: "NOBT",
}


class IdentifierScheme(models.TextChoices):
    POLICE_NOMINAL = "police_nominal", "Police nominal ID"
    NHS_NUMBER = "nhs_number", "NHS number"
    UPN = "upn", "Unique pupil number"
    LA_CASE_NUMBER = "la_case_number", "Local authority case number"


class Flag(models.TextChoices):
    """What a practitioner needs at a glance. Recorded facts, never a score."""

    CHILD_PROTECTION_PLAN = "cp_plan", "Child protection plan"
    LOOKED_AFTER = "looked_after", "Looked after"
    CARE_LEAVER = "care_leaver", "Care leaver"
    SEND = "send", "Special educational needs or disability"
    NRM_REFERRAL = "nrm_referral", "National Referral Mechanism referral"
    YOUTH_JUSTICE = "youth_justice", "Open to youth justice"


class Reliability(models.TextChoices):
    """How sure we are of a link or association. A link is an observation, never a label."""

    CONFIRMED = "confirmed", "Confirmed"
    REPORTED = "reported", "Reported"
    INTELLIGENCE = "intelligence", "Intelligence (unverified)"


class AssociationKind(models.TextChoices):
    PEER = "peer", "Peer or friend"
    FAMILY = "family", "Family"
    ROMANTIC = "romantic", "Romantic or sexual relationship"
    ADULT_OF_CONCERN = "adult_of_concern", "Adult of concern to a young person"
    PROFESSIONAL = "professional", "Professional"
