"""The meeting page as a Starlette application: server-rendered pages (Jinja2, through the
report's environment: autoescaped, hidden characters shown), no JavaScript needed.

    GET  /                          the agenda
    GET  /roster?q=&verdict=&decision=&nominated=&sort=&order=&page=
    GET  /candidates/{packet}       a candidate's explanation, decision history and form
    POST /candidates/{packet}       a decision (decision, reason, by, version, csrf)

Candidates are addressed by their packet's label, unique in a cycle (an id may have several
packets). A refused decision re-renders the form with the store's message (422; 409 for a
conflict, showing the decision now in force); a recorded one redirects (303) to the page.
No error shows a traceback: a fault is logged on the server and the page says only that."""
from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from engine.calibration.pages import TEMPLATES
from engine.cycles import roster
from engine.cycles.database import StoreError
from engine.cycles.model import DECISION_WORDS, VERDICT_WORDS, DecisionConflict
from engine.meeting.guard import NO_CSRF, Guard, Secrets, forbidden
from engine.meeting.pages import Meeting

LOG = logging.getLogger("ladder.meeting")
BY_COOKIE = "ladder_meeting_by"  # who decided last in this browser, to fill the form in again
NOT_FOUND_CODES = {"decide.unknown-candidate", "decide.ambiguous-candidate", "cycle.unknown"}


def _report_style() -> str:
    """The committee report's stylesheet, read from its template: the page looks like the
    report, and follows it when the report's look changes."""
    source = TEMPLATES.loader.get_source(TEMPLATES, "calibration.html.j2")[0]
    return re.search(r"<style>\n(.*?)</style>", source, re.S).group(1)


PAGES = TEMPLATES.overlay(loader=jinja2.ChoiceLoader([jinja2.PackageLoader("engine.meeting", "templates"), TEMPLATES.loader]))
PAGES.globals = {**TEMPLATES.globals, "REPORT_STYLE": _report_style(), "VERDICT_WORDS": VERDICT_WORDS,
                 "DECISION_WORDS": DECISION_WORDS, "ROSTER": roster}
PAGES.filters = {**TEMPLATES.filters, "packet_url": lambda label: "/candidates/" + quote(label, safe="/")}


def create_app(meeting: Meeting, keys: Secrets | None = None) -> Guard:
    """The page over `meeting`, guarded by `keys` (new ones if not given)."""
    keys = keys or Secrets()

    def render(request: Request, template: str, code: int = 200, **context: Any) -> HTMLResponse:
        html = PAGES.get_template(template).render(
            meeting=meeting, cycle=meeting.info, csrf=keys.csrf, nonce=request.scope["state"]["nonce"],
            level_name=meeting.level_name, level_order=meeting.level_order, **context)
        return HTMLResponse(html, status_code=code)

    def agenda(request: Request) -> Response:
        return render(request, "meeting-agenda.html.j2", sections=meeting.agenda())

    def roster_page(request: Request) -> Response:
        params = request.query_params
        try:
            number = int(params.get("page", "1"))
        except ValueError:
            number = 1
        query = roster.RosterQuery(text=params.get("q", ""), verdict=params.get("verdict", ""), decision=params.get("decision", ""),
                                   nominated=params.get("nominated", ""), sort=params.get("sort", "id"),
                                   descending=params.get("order") == "desc", page=number)
        page = meeting.roster(query)

        def link(**change: Any) -> str:
            q = page.query
            values = {"q": q.text, "verdict": q.verdict, "decision": q.decision, "nominated": q.nominated, "sort": q.sort,
                      "order": "desc" if q.descending else "asc", "page": q.page} | change
            return "/roster?" + urlencode({k: v for k, v in values.items() if v not in ("", None)})
        return render(request, "meeting-roster.html.j2", page=page, link=link)

    def candidate(request: Request, form: dict | None = None, problem: str | None = None,
                  conflict: DecisionConflict | None = None, status: int = 200) -> Response:
        shown = meeting.candidate(request.path_params["packet"])
        recorded = request.query_params.get("recorded")
        default = {"decision": "", "reason": "", "by": request.cookies.get(BY_COOKIE, "")}
        return render(request, "meeting-candidate.html.j2", status, page=shown, form=form or default, problem=problem,
                      conflict=conflict, recorded=recorded if recorded and recorded.isdigit() else None)

    async def decision(request: Request) -> Response:
        data = await request.form()
        if not keys.csrf_ok(data.get("csrf")):
            return forbidden(NO_CSRF)
        form = {name: str(data.get(name, "")) for name in ("decision", "reason", "by", "version")}
        label = request.path_params["packet"]
        try:
            version = int(form["version"])
        except ValueError:
            return candidate(request, form, "the form lost the decision's version: reload the page and decide again", status=422)
        try:
            recorded = meeting.decide(label, form["decision"], form["reason"], form["by"], version)
        except DecisionConflict as e:
            # The form now expects the decision in force: deciding again is deliberate, after reading it.
            return candidate(request, {**form, "decision": ""}, conflict=e, status=409)
        except StoreError as e:
            if e.code in NOT_FOUND_CODES:
                raise
            return candidate(request, form, e.message, status=422)
        response = RedirectResponse(f"{PAGES.filters['packet_url'](recorded.label)}?recorded={recorded.version}", status_code=303)
        response.set_cookie(BY_COOKIE, recorded.by, httponly=True, samesite="strict", path="/", max_age=86400 * 30)
        return response

    async def page_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, StoreError):
            status, message = (404 if exc.code in NOT_FOUND_CODES else 400), f"{exc.message} [{exc.code}]"
        elif isinstance(exc, HTTPException):
            status, message = exc.status_code, {404: "There is no such page here.", 405: "That is not how this page is used."}.get(
                exc.status_code, "The request could not be served.")
        else:
            LOG.exception("the meeting page failed on %s %s", request.method, request.url.path)
            status, message = 500, ("ladder failed while making this page (an engine fault, not your input). "
                                    "The server's log has the details; nothing was recorded by this request.")
        try:
            return render(request, "meeting-error.html.j2", status, status=status, message=message)
        except Exception:  # the page about the fault failed too: still no traceback to the browser
            LOG.exception("the meeting page's error page failed")
            return HTMLResponse("<!DOCTYPE html><title>Error</title><p>ladder failed while making this page; "
                                "the server's log has the details.</p>", status_code=500)

    def no_icon(request: Request) -> Response:
        return Response(status_code=204)  # browsers ask for one; a 404 would be logged as an error

    routes = [Route("/", agenda), Route("/roster", roster_page), Route("/favicon.ico", no_icon),
              Route("/candidates/{packet:path}", candidate, methods=["GET"]),
              Route("/candidates/{packet:path}", decision, methods=["POST"])]
    app = Starlette(routes=routes, exception_handlers={StoreError: page_error, HTTPException: page_error, Exception: page_error})
    return Guard(app, keys)
