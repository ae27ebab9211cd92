"""The division's records: the hash-chained audit log, signed exports (and, from issue 15's other
half, versions, deletions, retention and legal holds)."""
