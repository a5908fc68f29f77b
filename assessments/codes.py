"""Children in Need census code lists used at the end of an assessment (domain.md §3.1)."""

from __future__ import annotations

from django.db import models


class CinFactor(models.TextChoices):
    """Factors identified at the end of assessment. Valid codes per the CIN validator (rule
    8897Q); the extra-familial ones are 10A, 11A, 12A, 13A, 14A, 18B, 19B and 24A."""

    ALCOHOL_CHILD = "1A", "1A Alcohol misuse: the child"
    ALCOHOL_PARENT = "1B", "1B Alcohol misuse: a parent or carer"
    ALCOHOL_OTHER = "1C", "1C Alcohol misuse: another person in the household"
    DRUGS_CHILD = "2A", "2A Drug misuse: the child"
    DRUGS_PARENT = "2B", "2B Drug misuse: a parent or carer"
    DRUGS_OTHER = "2C", "2C Drug misuse: another person in the household"
    DOMESTIC_CHILD = "3A", "3A Domestic abuse: the child is the subject"
    DOMESTIC_PARENT = "3B", "3B Domestic abuse: a parent or carer is the subject"
    DOMESTIC_OTHER = "3C", "3C Domestic abuse: another person is the subject"
    MENTAL_CHILD = "4A", "4A Mental health: the child"
    MENTAL_PARENT = "4B", "4B Mental health: a parent or carer"
    MENTAL_OTHER = "4C", "4C Mental health: another person in the household"
    LEARNING_CHILD = "5A", "5A Learning disability: the child"
    LEARNING_PARENT = "5B", "5B Learning disability: a parent or carer"
    LEARNING_OTHER = "5C", "5C Learning disability: another person in the household"
    PHYSICAL_CHILD = "6A", "6A Physical disability or illness: the child"
    PHYSICAL_PARENT = "6B", "6B Physical disability or illness: a parent or carer"
    PHYSICAL_OTHER = "6C", "6C Physical disability or illness: another person in the household"
    YOUNG_CARER = "7A", "7A Young carer"
    FOSTERED_OVERSEAS_RETURN = "8B", "8B Privately fostered: overseas, intending to return"
    FOSTERED_OVERSEAS_STAY = "8C", "8C Privately fostered: overseas, intending to stay"
    FOSTERED_EDUCATION = "8D", "8D Privately fostered: UK, for education"
    FOSTERED_FAMILY = "8E", "8E Privately fostered: UK, alternative family arrangements"
    FOSTERED_OTHER = "8F", "8F Privately fostered: other"
    UASC = "9A", "9A Unaccompanied asylum-seeking child"
    MISSING = "10A", "10A Going or being missing"
    CSE = "11A", "11A Child sexual exploitation"
    TRAFFICKING = "12A", "12A Trafficking"
    GANGS = "13A", "13A Gangs"
    SOCIALLY_UNACCEPTABLE = "14A", "14A Socially unacceptable behaviour"
    SELF_HARM = "15A", "15A Self-harm"
    NEGLECT = "16A", "16A Neglect"
    EMOTIONAL = "17A", "17A Emotional abuse"
    PHYSICAL_CHILD_ON_CHILD = "18B", "18B Physical abuse: child-on-child"
    PHYSICAL_ADULT_ON_CHILD = "18C", "18C Physical abuse: adult-on-child"
    SEXUAL_CHILD_ON_CHILD = "19B", "19B Sexual abuse: child-on-child"
    SEXUAL_ADULT_ON_CHILD = "19C", "19C Sexual abuse: adult-on-child"
    OTHER = "20", "20 Other"
    NONE = "21", "21 No factors identified"
    FGM = "22A", "22A Female genital mutilation"
    FAITH = "23A", "23A Abuse linked to faith or belief"
    CCE = "24A", "24A Child criminal exploitation"


EXTRA_FAMILIAL_FACTORS = frozenset({"10A", "11A", "12A", "13A", "14A", "18B", "19B", "24A"})


class PrimaryNeed(models.TextChoices):
    NOT_STATED = "N0", "N0 Not stated"
    ABUSE_NEGLECT = "N1", "N1 Abuse or neglect"
    DISABILITY = "N2", "N2 Child's disability"
    PARENTAL_ILLNESS = "N3", "N3 Parental illness or disability"
    ACUTE_STRESS = "N4", "N4 Family in acute stress"
    DYSFUNCTION = "N5", "N5 Family dysfunction"
    SOCIALLY_UNACCEPTABLE = "N6", "N6 Socially unacceptable behaviour"
    LOW_INCOME = "N7", "N7 Low income"
    ABSENT_PARENTING = "N8", "N8 Absent parenting"
    NOT_CIN = "N9", "N9 Cases other than children in need"
