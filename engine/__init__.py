"""Guanxi: a YAML-first, configurable workflow CRM engine.

The pipeline: `load_project` reads a project directory into a `ProjectSpec` (with every
problem found, located); `compile_app` turns a clean spec into an `App`; a `Store` over
an `App` and a database URL is the one door for every read and write.
"""

__version__ = "0.1.0"
