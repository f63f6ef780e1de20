"""Delta sync's GraphQL: ``changes`` and its ``ChangeSet``."""
