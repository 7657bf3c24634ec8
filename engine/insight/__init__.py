"""Insight: reports and dashboards declared in a project's insight/*.yaml.

`definitions` (the frozen specs), `reading` (YAML → specs, `insight_of`), `measures`
(aggregates and ratios), `query` (a report as one SQL statement with the user's row
rules), `running` (`run_report`), `result` (rows, pivot, JSON/CSV/table), `charts`
(server-side SVG), `drill` (from a cell to the matching list).
"""
