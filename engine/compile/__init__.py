"""Compiling a clean spec into an App: tables, validators, workflow machines and access
policies. Touches no database.
"""
