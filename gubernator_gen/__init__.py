"""gubernator-gen: compile YAML state-machine specs into typed Python modules."""

__version__ = "0.1.0"
