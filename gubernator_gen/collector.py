"""Pausing Python's cyclic garbage collector while a stage builds its data.

The stages build hundreds of thousands of small objects for a large spec
(tree nodes, views, plan nodes, strings) and make no reference cycles worth
collecting meanwhile; left running, the collector rescans the growing heap
again and again, about a third of the front end's time and nearly half of
the back end's. Memory is still freed by reference counting while paused.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Pause the cyclic garbage collector, restoring its state afterwards.

    Nests: only the outermost pause turns the collector back on. Its first
    collection then examines every object made during the pause that is
    still alive, so a stage should let its temporaries go first (return
    from a helper inside the ``with``).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
