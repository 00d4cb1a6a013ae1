"""Tools for rule authors: rule tests (`ruletest`), lint (`lint`), the impact of a rule change
(`impact`; readiness by group laid out by `impact_fairness`), the published framework (`docs`)
and new packets to fill in (`scaffold`).

May import: `engine.cohorts` and everything below it; not `engine.calibration`."""
