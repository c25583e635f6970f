"""The domain: entities, errors, the typed catalog and geography (the bottom layer)."""
