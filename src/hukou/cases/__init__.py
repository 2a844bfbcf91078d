"""Casework: applications as append-only action logs, their derived state, and deadlines (pure)."""
