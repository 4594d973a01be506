"""``python -m tapegrad`` runs the ``tapegrad`` command."""

import sys

from tapegrad.app.cli import main

if __name__ == "__main__":  # importing the package's modules (the docs do) runs nothing
    sys.exit(main())
