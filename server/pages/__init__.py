"""The staff pages: lists, detail, forms, kanban and their widgets.
"""
