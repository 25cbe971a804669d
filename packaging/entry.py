"""PyInstaller's entry script: the same ``main`` as the ``timetracker`` console script."""

import sys

from timetracker.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
