"""The front end: spec text → validated :class:`~gubernator_gen.model.MachineSpec`.

Stages, in the order data flows through them: ``load`` reads the file into
the positioned tree (``tree``) through ``source`` (bytes and decoding),
``substitute`` (``${VAR}``), ``yaml12`` (YAML 1.2 on PyYAML's scanner),
``parse`` (the event stream; with ``assemble``, ``resolve``, ``limits``,
``syntax``, ``places`` and ``problems``) and ``positions``; ``schema``
checks the tree against the JSON Schema; ``view`` reads the spec's keys,
once, for ``validate`` (errors), ``reachability`` (warnings) and ``build``
(the model); ``suggest`` finds "did you mean" names. ``pipeline`` runs them
in order. Nothing here imports the back end or the driver.
"""

from gubernator_gen.frontend.pipeline import FrontendResult, read_spec, read_spec_text

__all__ = ["FrontendResult", "read_spec", "read_spec_text"]
