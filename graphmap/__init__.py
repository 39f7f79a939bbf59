"""graphmap."""
