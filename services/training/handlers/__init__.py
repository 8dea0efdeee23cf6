"""Training use cases as async verbs (load, decide, save, publish), one module per part of the domain."""
