"""溯: tracing a bad station reading up the river network to the outfalls that could have caused it."""
