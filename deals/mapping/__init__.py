"""Privacy-preserving account mapping between the vendor and a partner, or two partners."""
