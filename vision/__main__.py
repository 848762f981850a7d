"""`python -m vision`: the command line (one module per command in vision/cli/)."""

import gc
import sys

from vision.cli.main import main

if __name__ == "__main__":
    code = main()
    # The process ends here: with the heap frozen, the interpreter's last collection skips
    # walking every object SQLAlchemy, Pillow and requests made (0.1-0.2 s after `vision eval`).
    gc.freeze()
    sys.exit(code)
