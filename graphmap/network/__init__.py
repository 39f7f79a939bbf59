"""Network analyses over the person graph of a window: peer groups, bridges, likely recruiters,
co-missing, exposure, disruption targets, complex strategy candidates, cross-borough links.

Each module is one family of analyses; each analysis is a pure function over a graph (and, where
it needs records, the window's frames) returning plain data with its evidence.
:func:`graphmap.network.analyse.analyse` puts them together into the document
``graphmap analyse`` writes.
"""

from .graphs import Frames, load_frames, person_graph, person_location_graph, tie_evidence

__all__ = ["Frames", "load_frames", "person_graph", "person_location_graph", "tie_evidence"]
