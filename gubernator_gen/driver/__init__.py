"""The driver: the command line and everything around the compiler.

Argument parsing and commands (``cli``), ``[tool.gubernator-gen]``
configuration (``config``), safe writes and drift checks (``write``) and
diagrams (``graph``). The driver is the only package that imports both the
front end and the back end, through :mod:`gubernator_gen.compiler`.
"""
