"""Delta sync: a user's changes since a cursor, deletions included (issue #15)."""
