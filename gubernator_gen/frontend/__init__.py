"""The front end: spec text → validated :class:`~gubernator_gen.model.MachineSpec`.

Stages, in the order data flows through them: ``source`` and ``load`` read
and decode the file into a positioned tree (``tree``, ``positions``,
``yaml12``, ``substitute``); ``schema`` checks it against the JSON Schema;
``view`` reads it leniently and ``validate`` runs the semantic checks;
``build`` turns a tree without errors into the model. ``pipeline`` runs them
in order. Nothing here imports the back end or the driver.
"""

from gubernator_gen.frontend.pipeline import FrontendResult, read_spec, read_spec_text

__all__ = ["FrontendResult", "read_spec", "read_spec_text"]
