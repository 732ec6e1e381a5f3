"""The diagram tests reuse the statechart tests' chart builder and strategies.

Test folders are not packages (pytest puts each test file's folder on
``sys.path``), so ``tests/statechart`` goes on the path here for
``statechart_charts``, whichever tests the run selects.
"""

from __future__ import annotations

import sys
from pathlib import Path

_STATECHART_TESTS = str(Path(__file__).resolve().parent.parent / "statechart")
if _STATECHART_TESTS not in sys.path:
    sys.path.insert(0, _STATECHART_TESTS)
