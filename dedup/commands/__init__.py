"""The commands besides clean: check (a corpus against itself, for git hooks) and restore."""
