"""``python -m tapegrad`` runs the ``tapegrad`` command."""

import sys

from tapegrad.cli import main

sys.exit(main())
