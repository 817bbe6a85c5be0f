"""``python -m jtbd_methods`` runs the ``jtbd`` command."""

import sys

from jtbd_methods.cli import main

sys.exit(main())
