"""Make each example's modules importable when pytest runs from the repo root.

The examples are plain scripts beside their generated modules (``order_app``
imports ``order_fsm``), not packages, so their folders go on ``sys.path``.
Module names are unique across the examples, so one shared path is safe.
"""

import sys
from pathlib import Path

_EXAMPLES = Path(__file__).resolve().parent

for _folder in (
    _EXAMPLES / "order_management",
    _EXAMPLES / "document_review",
    _EXAMPLES / "postgres_orders",
    _EXAMPLES / "support_ticket",
    _EXAMPLES / "deployment_pipeline",
):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))
