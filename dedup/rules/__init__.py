"""The rules, a module per family: local (lexicon, repeated lines), learned (boilerplate
counted per source), duplicates (exact and near), with findings (what a rule decides) and
sources (how documents are grouped into sites). previous.py holds the rules against an
earlier run's index. classify.py runs them in order."""
