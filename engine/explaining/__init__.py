"""Explaining: the verdict document in the rulebook's own words (`explain`), built from a
criterion's outcome (`outcomes`), why a record or the candidate did not count (`reasons`) and
the rulebook's vocabulary in words (`phrasing`), the words of each criterion worked out once a
rulebook (`memo`); next-step plans and evaluation on the other
track (`plan`); where the evidence places a candidate on each track (`placement`).

May import: `engine.matching`, `engine.reading`, `engine.common`."""
