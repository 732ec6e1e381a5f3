"""The back end: :class:`~gubernator_gen.model.MachineSpec` → module source.

Stages: ``naming`` decides every identifier, ``plan`` every table and literal
(with ``literals`` and ``layout``), ``render`` prints the plan through the
Jinja2 templates in ``templates/``, and ``formatting`` runs black in a fixed
mode. ``pipeline`` runs them in order. The back end reads only the model: it
never imports the front end or the driver.
"""

from gubernator_gen.backend.derive import module_names
from gubernator_gen.backend.pipeline import BackendResult, generate_module

__all__ = ["BackendResult", "generate_module", "module_names"]
