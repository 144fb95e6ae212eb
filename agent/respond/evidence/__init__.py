"""The evidence kept for each incident (screenshot, text, verdict, SHA-256 manifest)."""
