"""Places: hotspots, trends, time profiles, statistical hot spots and location profiles.

For the Locations Board and police / Safer Merton analysts: which places (or 250 m grid cells,
or wards) are hotspots in a window and why, whether they are rising, when things happen, which
groups use them, and what the partnership might do about each. Distances and areas are worked
in British National Grid (EPSG:27700); records and outputs are WGS84 (see :mod:`.crs`).

Start from :class:`PlaceAnalysis` (one window, read once, asked many ways) or the functions:
:func:`hotspots`, :func:`hotspots_for_json`, :func:`location_profile`, :func:`shared_places`,
:func:`places_geojson`.
"""

from .analysis import PlaceAnalysis
from .geojson import places_geojson, write_geojson
from .hotspots import hotspot_records, hotspots, hotspots_for_json
from .local_statistics import area_weights, distance_weights, gi_star, lattice_weights, local_moran
from .location_profile import cell_profile, location_profile, suggested_actions
from .place_records import PlaceRecords, located_places
from .shared_places import adult_places, found_missing_places, shared_places
from .trend import time_profile, trend_labels
from .wards import fictional_wards, read_wards, ward_of_places

__all__ = [
    "PlaceAnalysis", "PlaceRecords", "adult_places", "area_weights", "cell_profile", "distance_weights",
    "fictional_wards", "found_missing_places", "gi_star", "hotspot_records", "hotspots", "hotspots_for_json",
    "lattice_weights", "local_moran", "located_places", "location_profile", "places_geojson", "read_wards",
    "shared_places", "suggested_actions", "time_profile", "trend_labels", "ward_of_places", "write_geojson",
]
