"""pytest --nbval-lax runs these notebooks in place: send their exports to a temporary folder."""

import os
import tempfile

os.environ.setdefault("JTBD_OUTPUT_DIR", tempfile.mkdtemp(prefix="jtbd-nbval-exports-"))
