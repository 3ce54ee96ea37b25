"""Partner directory, partner-to-partner collaboration requests and the ecosystem map."""
