"""Jinja2 templates for gubernator-gen (shipped as gubernator_gen.templates)."""
