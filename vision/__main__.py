"""`python -m vision`: the command line (check, ask, models, echo)."""

import sys

from vision.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
