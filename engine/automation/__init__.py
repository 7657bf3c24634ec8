"""Things that happen by themselves: jobs, timers, SLA clocks, assignment and notifications
(room for what comes next).
"""
