"""The committee's meeting page (`ladder serve`): a local web page over one cycle of the store,
server-rendered with the report's Jinja2 templates and look.

- `pages`: what each page shows, read from the store (`Meeting`): the agenda, grouped by the
  report's rules; a page of the roster (`engine.cycles.roster`); a candidate's explanation
  and decision history; recording a decision;
- `app`: the Starlette application: routes, forms, error pages (never a traceback);
- `guard`: the access token (printed once, traded for a cookie), CSRF, security headers;
- `serving`: where it listens (127.0.0.1 unless allowed otherwise), and uvicorn.

May import: `engine.cycles` and everything below it."""
