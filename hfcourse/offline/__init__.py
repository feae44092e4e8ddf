"""Which model and data run here: the checkpoint catalog and cache, the embedded models, the stand-ins derived
from them, and the GLUE data (from the Hub, or the embedded copy offline).

The bottom layer: it imports nothing from ``hfcourse.lessons`` or ``hfcourse.tools``.
"""
