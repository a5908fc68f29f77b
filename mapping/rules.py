"""Who may see hotspot maps, and at what grain.

Case workers see exact counts of the events they may already open (``visible_events``): the map
adds nothing they could not count themselves. Analysts hold no case permissions, so they get a
deliberate, wider aggregate scope instead — every standard event in the partnership plus their
own agency's restricted ones — as counts only, small numbers suppressed, never an event.
Administrators and auditors see neither.
"""

from __future__ import annotations

import rules

from access.predicates import does_case_work, is_analyst, is_cs_lead

rules.add_perm("mapping.view_hotspots", does_case_work | is_analyst)
# Exact counts, of visible_events only. Anyone without it (analysts) gets the wider scope,
# suppressed; an analyst cannot also do case work (access.roles), so nobody holds both views.
rules.add_perm("mapping.view_exact_counts", does_case_work)

# The suggested-contexts queue is the CS lead's: deciding which places and groups become records
# is a partnership decision. What each suggestion shows is still limited to the records the lead
# may open (see mapping.selectors).
rules.add_perm("mapping.view_suggestions", is_cs_lead)
rules.add_perm("mapping.decide_suggestion", is_cs_lead)
# A location context opened from a hotspot cell: the same people who may triage suggestions.
rules.add_perm("mapping.open_context_from_cell", is_cs_lead)
