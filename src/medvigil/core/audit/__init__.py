"""The audit hash chain: canonical serialisation, event hashes and streaming verification."""
