"""Mail templates render in Jinja2's sandbox: known template-injection payloads (the
class of Jinja2 CVE-2024-56326 and Frappe CVE-2025-68929) are refused and never run;
HTML parts are autoescaped; the subject comes from the text part's first line."""

from __future__ import annotations

from pathlib import Path

import pytest
from guanxi.mail.templates import MailTemplates, TemplateRefused, render_text

PAYLOADS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}",
    "{{ lipsum.__globals__['os'].popen('touch {marker}') }}",
    "{{ joiner.__init__.__globals__.__builtins__ }}",
    "{{ namespace.__init__.__globals__ }}",
    '{{ "{0.__class__}".format(subject) }}',
    '{% set f = "{0.__class__.__base__}".format %}{{ f(subject) }}',
    '{{ ("{0.__class__}"|attr("format"))(subject) }}',
    "{{ subject|attr('__class__') }}",
    "{{ self._TemplateReference__context }}",
    "{{ request.application.__globals__ }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_template_injection_payload_is_refused_and_never_runs(
        payload: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(TemplateRefused):
        render_text(payload.replace("{marker}", str(marker)), {"subject": "Printer"})
    assert not marker.exists()


def test_a_payload_in_a_project_template_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "templates" / "mail"
    folder.mkdir(parents=True)
    (folder / "evil.en.txt").write_text(
        "Subject: hi\n{{ cycler.__init__.__globals__.os }}\n", encoding="utf-8")
    with pytest.raises(TemplateRefused, match="unsafe"):
        MailTemplates(tmp_path).render("evil", {})


def test_a_template_cannot_change_the_values_it_is_given() -> None:
    with pytest.raises(TemplateRefused):
        render_text("{{ tags.append('x') }}", {"tags": []})


def test_html_parts_are_autoescaped_and_text_parts_are_not(tmp_path: Path) -> None:
    folder = tmp_path / "templates" / "mail"
    folder.mkdir(parents=True)
    (folder / "hello.en.txt").write_text("Subject: About {{ subject }}\nHi {{ subject }}",
                                         encoding="utf-8")
    (folder / "hello.en.html").write_text("<p>{{ subject }}</p>", encoding="utf-8")
    made = MailTemplates(tmp_path).render("hello", {"subject": "<b>x</b>"})
    assert made.subject == "About <b>x</b>"
    assert made.text == "Hi <b>x</b>"
    assert made.html == "<p>&lt;b&gt;x&lt;/b&gt;</p>"


def test_a_template_is_taken_in_the_asked_language_else_english() -> None:
    acme = Path(__file__).resolve().parents[2] / "examples" / "acme"
    templates = MailTemplates(acme)
    zh = templates.render("ticket_opened", {"id": 7, "subject": "打印机"}, "zh")
    assert zh.subject == "我们已收到您的邮件 [#T7]" and zh.html is None
    fr = templates.render("ticket_opened", {"id": 7, "subject": "x"}, "fr")
    assert fr.subject == "We received your message [#T7]" and fr.html is not None


def test_a_missing_template_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(TemplateRefused, match="no mail template 'nothing'"):
        MailTemplates(tmp_path).render("nothing", {})
