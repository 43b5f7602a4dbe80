"""Demo data: a believable branch office to try Jangkau with."""
