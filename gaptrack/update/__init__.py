"""`gaptrack update`: newer copies of the public evidence sources, fetched into the user's
data folder, checked by the shipped data's readers, kept by sha256 with their provenance,
and read in place of the shipped files from their fetch date on (see active.py)."""
