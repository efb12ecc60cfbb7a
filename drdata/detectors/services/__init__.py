"""services detectors; each module registers its detectors at import."""
