"""Records a public body must keep: versions, deletions noticed, retention, legal holds, the
hash-chained audit log and signed exports."""
