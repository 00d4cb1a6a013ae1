"""Tools for rule authors: rule tests (`ruletest`), lint (`lint`), the impact of a rule change
(`impact`) and the published framework (`docs`).

May import: `engine.cohorts` and everything below it; not `engine.calibration`."""
