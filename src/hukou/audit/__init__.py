"""The audit trail: who did or read what, when and why, in a chain of hashes anyone can check."""
