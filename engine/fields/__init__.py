"""Field types: one registry entry per type owning storage, coercion, parsing, schema,
widget and display.
"""
