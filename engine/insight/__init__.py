"""Reports, dashboards and segments (room for what comes next).
"""
