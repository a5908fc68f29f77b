"""Maps, network views and the suggested-contexts queue.

Each feature's views module declares its own routes; this module only mounts them.
"""

from mapping.views import hotspot_map, network, suggestions

app_name = "mapping"

urlpatterns = [
    *hotspot_map.urlpatterns,
    *network.urlpatterns,
    *suggestions.urlpatterns,
]
