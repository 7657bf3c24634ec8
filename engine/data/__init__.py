"""Data in and out: demo data now; import, export, duplicates and erasure next.
"""
