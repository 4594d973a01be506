"""``python -m tapegrad`` runs the ``tapegrad`` command."""

import sys

from tapegrad.app.cli import main

sys.exit(main())
