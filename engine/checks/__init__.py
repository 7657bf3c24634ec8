"""Checking a project: a registry of checks, each returning located diagnostics with stable
ids and hints.
"""
