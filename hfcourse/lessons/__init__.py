"""The reusable, tested copies of what the notebooks teach (tokenizing, collating, training, pipelines,
attention, ...), for later notebooks, notebook authors and the command line.

Each module says which notebook teaches it; ``tests/notebooks`` checks that the notebook's code and the copy
here give the same results. Lessons import from ``hfcourse.offline`` only, never from ``hfcourse.tools``.
"""
