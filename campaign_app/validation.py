"""How a service refuses input: messages per form field, shown beside what the user typed."""


class Refused(ValueError):
    """A service refused the input. ``errors`` maps a field name (None: the whole form) to messages."""

    def __init__(self, errors: dict[str | None, list[str]]):
        super().__init__(errors)
        self.errors = errors

    @classmethod
    def on(cls, field: str | None, message: str) -> "Refused":
        return cls({field: [message]})


def show_refusal(form, refused: Refused) -> None:
    """Attach a service's refusal to the form's fields; messages for unknown fields go to the form."""
    for name, messages in refused.errors.items():
        field = getattr(form, name, None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(messages)
