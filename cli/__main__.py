"""``python -m fftforge.cli``: the ``fftforge`` command (``make formal`` runs
``python -m fftforge.cli prove``)."""

import sys

from fftforge.cli import main

sys.exit(main())
