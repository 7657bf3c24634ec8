"""Reading a project: YAML with locations, overlays, the standard workflows, and building
the frozen spec.
"""
