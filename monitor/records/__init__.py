"""Records kept as a public body must keep them: versions, deletions noticed, retention, legal holds."""
