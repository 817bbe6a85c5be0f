"""Session-wide test settings (also for notebooks collected by nbval and doctests)."""

import os
import tempfile

# Notebooks executed in place by nbval write their exports here, never into notebooks/.
os.environ["JTBD_OUTPUT_DIR"] = tempfile.mkdtemp(prefix="jtbd-test-exports-")
os.environ.setdefault("MPLBACKEND", "Agg")
