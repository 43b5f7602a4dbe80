"""Our scripts and stylesheets as they are sent: without their comments and indentation. The sources keep them (they
say why the code is as it is); a phone on EDGE pays for every byte of them, on every first visit.

Deliberately plain, for code written as ours is (no template literals, no comment markers inside strings): a line
that is a ``//`` comment, a ``//`` comment after two spaces at the end of a line, a CSS ``/* */`` comment, the
indentation of each line and blank lines go. Line breaks stay, so that no statement runs into the next.
"""

import re

_JS_COMMENT_LINE = re.compile(r"^[ \t]*//.*\n?", re.MULTILINE)
_JS_TRAILING_COMMENT = re.compile(r"[ \t]{2,}// .*$", re.MULTILINE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{2,}")


def without_comments(text: str, suffix: str) -> str:
    """``text``, the content of a file ending in ``suffix`` (".js" or ".css"), without comments or indentation;
    any other file's text unchanged."""
    if suffix == ".js":
        text = _JS_TRAILING_COMMENT.sub("", _JS_COMMENT_LINE.sub("", text))
    elif suffix == ".css":
        text = _CSS_COMMENT.sub("", text)
    else:
        return text
    return _BLANK_LINES.sub("\n", _INDENT.sub("", text)).lstrip("\n")


def stripped(filename: str) -> bool:
    """Whether the static file ``filename`` is sent without comments: our own scripts and stylesheets; vendored
    files come as their authors minified them (with their licence)."""
    return filename.startswith(("js/", "css/")) and filename.endswith((".js", ".css"))
