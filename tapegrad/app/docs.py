"""``tapegrad docs``: build the documentation site from a source checkout and serve it locally.

It runs ``mkdocs serve`` on the checkout's ``mkdocs.yml``, so the pages rebuild as you edit
them; the site needs nothing from the network. MkDocs and its plugins are the ``docs`` extra,
and a missing one is a one-line error that says how to install them.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

# The repository's root: the folder above the tapegrad package, where mkdocs.yml lives.
CHECKOUT = Path(__file__).resolve().parents[2]
NEEDED = ("mkdocs", "material", "mkdocstrings", "mkdocs_jupyter")


class DocsUnavailable(Exception):
    """What stops ``tapegrad docs``, in one line for the user."""


def add_docs_command(commands) -> None:
    """Add ``tapegrad docs [--host HOST] [--port PORT]`` to the command's subparsers."""
    docs = commands.add_parser(
        "docs", help="serve the documentation site locally",
        description="Build the documentation site (API reference, tutorials, guides) from "
                    "this source checkout and serve it at http://HOST:PORT/ with mkdocs "
                    "serve; needs the docs extra: pip install -e \".[docs]\"")
    docs.add_argument("--host", default="127.0.0.1", help="address to serve on (127.0.0.1)")
    docs.add_argument("--port", type=int, default=8000, help="port to serve on (8000)")


def serve_command(host: str, port: int) -> list[str]:
    """The ``mkdocs serve`` command line for this checkout.

    >>> serve_command("127.0.0.1", 8000)[1:4]
    ['-m', 'mkdocs', 'serve']
    """
    config = CHECKOUT / "mkdocs.yml"
    if not config.is_file():
        raise DocsUnavailable(f"no mkdocs.yml in {CHECKOUT}: the documentation is built from "
                              "a source checkout of tapegrad (pip install -e . in a clone)")
    missing = [name for name in NEEDED if importlib.util.find_spec(name) is None]
    if missing:
        raise DocsUnavailable(f"{', '.join(missing)} not installed; the docs extra has them: "
                              f"pip install -e \"{CHECKOUT}[docs]\"")
    return [sys.executable, "-m", "mkdocs", "serve", "--config-file", str(config),
            "--dev-addr", f"{host}:{port}"]


def serve(host: str, port: int) -> int:
    """Serve the site until Ctrl-C; returns mkdocs' exit status."""
    command = serve_command(host, port)
    # The checkout's tapegrad, not another installed copy, is what the reference documents.
    path = os.pathsep.join(filter(None, [str(CHECKOUT), os.environ.get("PYTHONPATH")]))
    print(f"tapegrad docs: serving the site at http://{host}:{port}/ (Ctrl-C stops)",
          flush=True)
    return subprocess.call(command, cwd=CHECKOUT, env={**os.environ, "PYTHONPATH": path})
