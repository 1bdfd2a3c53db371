"""dedup: find duplicated and boilerplate text in multilingual corpora and write the corpus back clean."""
__version__ = "0.1.0"
