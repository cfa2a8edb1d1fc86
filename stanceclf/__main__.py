"""``python -m stanceclf``: the same as the ``stanceclf`` command."""

import sys

from .cli import main

sys.exit(main())
