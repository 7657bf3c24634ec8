"""Evolving a live database to a changed project: plans in words, applied without losing
data.
"""
