"""``{% same_for key, … %}…{% endsame_for %}``: a part of a template rendered once per process for each value of its
key, then written from memory.

For the parts of the busiest pages that do not depend on the request: the sign-up form's dozens of translated
messages for the phone, the layout's. What the part shows must be decided by the key alone (the language, say):
anything else it reads is taken as it was the first time. The memory holds what was rendered, never a record read
from the database, and is emptied when full.
"""

from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

# Parts kept per process: a few per template and language.
PARTS_KEPT = 512


class SameFor(Extension):
    tags = {"same_for"}

    def __init__(self, environment):
        super().__init__(environment)
        self.rendered: dict[tuple, Markup] = {}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        key = parser.parse_tuple()
        body = parser.parse_statements(("name:endsame_for",), drop_needle=True)
        # The part's place names it: two parts of one template keyed alike are different parts.
        place = nodes.Const(f"{parser.name}:{lineno}")
        return nodes.CallBlock(self.call_method("_once", [place, key]), [], [], body).set_lineno(lineno)

    def _once(self, place: str, key, caller) -> Markup:
        if self.environment.auto_reload:
            # Templates edited while the app runs (debug): rendered every time, as they are now.
            return Markup(caller())
        remembered = self.rendered.get((place, key))
        if remembered is None:
            if len(self.rendered) >= PARTS_KEPT:
                self.rendered.clear()
            remembered = self.rendered[(place, key)] = Markup(caller())
        return remembered
