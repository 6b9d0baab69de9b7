"""Read a step page's form as a browser's FormData would send it (for the autosave tests)."""

from __future__ import annotations

from html.parser import HTMLParser


class _StepForm(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.in_template = 0
        self.values: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "step-form":
            self.inside = True
        if not self.inside:
            return
        if tag == "template":
            self.in_template += 1
        if self.in_template:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.values.setdefault(name, []).append(attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]
        elif tag == "select" and name:
            self._select, self._select_value, self._first_option = name, None, None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = attrs.get("value", "")
            if "selected" in attrs:
                self._select_value = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "template" and self.in_template:
            self.in_template -= 1
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            chosen = self._select_value if self._select_value is not None else self._first_option or ""
            self.values[self._select] = [chosen]
            self._select = None
        elif tag == "form" and self.inside:
            self.inside = False

    def handle_data(self, data):
        if self._textarea and not self.in_template:
            self.values[self._textarea][0] += data


def form_data(page: str) -> dict[str, list[str] | str]:
    """The step form's fields (the leading newline of a textarea dropped, as browsers do)."""
    reader = _StepForm()
    reader.feed(page)
    data: dict[str, list[str] | str] = {}
    for name, values in reader.values.items():
        values = [value.removeprefix("\n") for value in values]
        data[name] = values if len(values) > 1 else values[0]
    return data
