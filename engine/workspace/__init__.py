"""The staff workspace: searching every entity, record timelines and notes, my tasks."""
