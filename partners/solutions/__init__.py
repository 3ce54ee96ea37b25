"""Joint solutions: multi-partner offerings, each component delivered by a partner in a role."""
