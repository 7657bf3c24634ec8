"""Mail templates: files of the project (templates/mail/NAME.LANG.txt, NAME.LANG.html)
and texts of reply templates, rendered in Jinja2's sandbox.

The environment is an `ImmutableSandboxedEnvironment`: templates reach no attribute
starting with an underscore, no internals of functions or frames, no `str.format` on
their own terms, and cannot change the values they are given; what they try is refused
with `TemplateRefused` (from Jinja2's SecurityError) and nothing of it runs. HTML parts
are autoescaped. The first line of the text part may give the subject:
`Subject: Re: {{ subject }}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guanxi.errors import GuanxiError
from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

FOLDER = Path("templates") / "mail"
SUBJECT = "Subject:"


class TemplateRefused(GuanxiError):
    """A template tried what the sandbox forbids, or does not render."""


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str | None


def sandbox(root: str | Path | None = None, *, html: bool = False) -> ImmutableSandboxedEnvironment:
    """The sandboxed environment (over the project's templates/mail when `root` is given)."""
    loader = FileSystemLoader(str(Path(root) / FOLDER)) if root is not None else None
    return ImmutableSandboxedEnvironment(
        loader=loader, undefined=StrictUndefined, autoescape=html,
        trim_blocks=True, keep_trailing_newline=False)


def render_text(source: str, values: dict[str, Any], *, html: bool = False) -> str:
    """Render a template given as text (a reply template's body) in the sandbox."""
    try:
        return sandbox(html=html).from_string(source).render(values)
    except SecurityError as error:
        raise TemplateRefused(f"the template was refused: {error}") from error
    except TemplateError as error:
        raise TemplateRefused(f"the template does not render: {error}") from error


def split_subject(text: str, fallback: str) -> tuple[str, str]:
    """(subject, body) from a rendered text part whose first line may be `Subject: …`."""
    first, _, rest = text.partition("\n")
    if first.startswith(SUBJECT):
        return first[len(SUBJECT):].strip(), rest.lstrip("\n")
    return fallback, text


class MailTemplates:
    """The project's mail templates, per language, each a text part and an optional
    HTML part."""

    def __init__(self, root: str | Path) -> None:
        self.text_env = sandbox(root)
        self.html_env = sandbox(root, html=True)

    def _pick(self, name: str, language: str, suffix: str, fallback: str) -> str | None:
        env = self.html_env if suffix == "html" else self.text_env
        for lang in dict.fromkeys((language, fallback)):
            try:
                env.get_template(f"{name}.{lang}.{suffix}")
            except TemplateNotFound:
                continue
            return f"{name}.{lang}.{suffix}"
        return None

    def render(self, name: str, values: dict[str, Any], language: str = "en",
               fallback: str = "en", subject: str = "") -> Rendered:
        """Template `name` in `language` (else `fallback`); TemplateRefused when it is
        missing, or tries what the sandbox forbids."""
        text_name = self._pick(name, language, "txt", fallback)
        if text_name is None:
            raise TemplateRefused(f"no mail template {name!r} ({FOLDER}/{name}.{language}.txt)")
        # The HTML part only in the language of the text part: never two languages.
        chosen = text_name.split(".")[-2]
        html_name = self._pick(name, chosen, "html", chosen)
        try:
            text = self.text_env.get_template(text_name).render(values)
            html = (self.html_env.get_template(html_name).render(values)
                    if html_name else None)
        except SecurityError as error:
            raise TemplateRefused(f"template {name!r} was refused: {error}") from error
        except TemplateError as error:
            raise TemplateRefused(f"template {name!r} does not render: {error}") from error
        title, body = split_subject(text, subject)
        return Rendered(title, body, html)
