"""Persistence chassis: typed aggregate states stored as documents with their inbox and outbox."""
