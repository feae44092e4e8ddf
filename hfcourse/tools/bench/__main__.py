"""``python -m hfcourse.tools.bench``: the same as ``hfcourse bench``."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
