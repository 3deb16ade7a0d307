"""Demo organisation for `make run`: teams, categories, people and a few hundred tickets."""
