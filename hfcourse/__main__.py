"""``python -m hfcourse COMMAND``: the same as the ``hfcourse`` command (see ``hfcourse.tools.cli``)."""

import sys

from .tools.cli import main

if __name__ == "__main__":
    sys.exit(main())
