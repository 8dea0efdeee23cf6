"""The `mutu` command: launcher, operator tools and the demo (the only code that imports services)."""
