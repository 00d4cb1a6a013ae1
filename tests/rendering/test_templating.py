"""The templates' environment: whatever a template writes shows its hidden characters, however
the value got there (a field, a filter, `|safe`), in HTML as escaped text and never as a tag."""
from __future__ import annotations

from engine.rendering.templating import BLOCK, ENVIRONMENT


def test_html_shows_hidden_characters_as_escaped_text_by_any_route():
    template = ENVIRONMENT.from_string("<p>{{ name }}|{{ name | e }}|{{ [name, 'x'] | join(', ') }}|{{ name | safe }}</p>")
    assert template.render(name="Lee\u202eeoJ\x1b]0;t\x07") == (
        "<p>Lee&lt;U+202E&gt;eoJ&lt;U+001B&gt;]0;t&lt;U+0007&gt;|Lee&lt;U+202E&gt;eoJ&lt;U+001B&gt;]0;t&lt;U+0007&gt;|"
        "Lee&lt;U+202E&gt;eoJ&lt;U+001B&gt;]0;t&lt;U+0007&gt;, x|Lee&lt;U+202E&gt;eoJ&lt;U+001B&gt;]0;t&lt;U+0007&gt;</p>")


def test_a_template_without_autoescaping_shows_the_code_point_and_keeps_a_values_lines():
    markdown = ENVIRONMENT.overlay(autoescape=False)  # as the Markdown templates are: an overlay keeps the class
    assert markdown.from_string("{{ text }}").render(text="a\u200bb\r\nc") == "a<U+200B>b\nc"


def test_a_line_break_at_the_end_of_a_block_of_output_stays_one():
    template = ENVIRONMENT.from_string("{{ a }}{{ b }}")
    a = "x" * (BLOCK - 1) + "\r"
    for b in ("\ny\rz", "y\rz"):  # CR LF split between two blocks; a lone CR last in one
        assert "".join(template.generate(a=a, b=b)) == template.render(a=a, b=b) == "x" * (BLOCK - 1) + "\ny\nz"
