"""The driver: the command line and everything around the compiler.

``cli`` (the entry point, ``main``), ``args`` (the parser and its help),
``commands`` (one handler per command), ``settings`` (the command line over
``[tool.gubernator-gen]``), ``report`` (diagnostics, progress, output and
exit statuses), ``config`` (the ``pyproject.toml`` table), ``write`` (safe
writes and drift checks) and ``graph`` (diagrams). The driver is the only
package that uses both the front end and the back end, through
:mod:`gubernator_gen.compiler`.
"""
