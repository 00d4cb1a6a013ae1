"""ladder: promotion readiness for dual career ladders, as executable, explainable rules.

The pipeline, one module per stage: load -> validate -> compile -> evaluate -> explain ->
report (`rulebook` and `packet` build the validated model; `core` fences durable-rules).
Programs use `engine.api`; `ladder` is a thin CLI over it."""
