"""The maintainer's and learner's tools behind the ``hfcourse`` command: doctor, accelerate config, notebook
runner, train command, benchmark and recipes. The top layer: it may import lessons and offline.
"""
