"""Sign-ups: officers register workers at a visit (pages come with the officers' issue)."""
