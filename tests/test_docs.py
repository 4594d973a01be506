"""The documentation site: its API reference covers every public name, every code example on
it runs, it builds with ``mkdocs build --strict`` (which runs every tutorial notebook), and it
works in a real browser (search, math, the tutorials' plots)."""

from __future__ import annotations

import functools
import http.server
import importlib.util
import inspect
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _hook(name: str):
    """A module of ``docs/hooks/`` (the build's own code, shared with these tests)."""
    spec = importlib.util.spec_from_file_location(name, DOCS / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


api_reference = _hook("api_reference")
readme_sections = _hook("readme_sections")


def public_paths() -> list[str]:
    """Every public name of tapegrad, as a dotted path, computed from the package now: the
    modules' names and the Tensor's methods and attributes."""
    import tapegrad

    modules = [f"{module}.{name}" for module in api_reference.public_module_paths()
               for name in api_reference.documented_names(api_reference.resolve(module))]
    tensor = [f"tapegrad.Tensor.{name}" for name in dir(tapegrad.Tensor)
              if not name.startswith("_")]
    return modules + tensor


# ---------------------------------------------------------------- without building the site


def test_every_public_name_has_a_docstring():
    assert len(public_paths()) > 500  # modules' names and Tensor's: the search found them
    missing = [path for path in public_paths() if not inspect.getdoc(api_reference.resolve(path))]
    assert not missing, f"public names without a docstring: {missing}"


def test_every_public_module_has_a_reference_page_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text()
    pages = {match["module"]: page.relative_to(DOCS).as_posix()
             for page in (DOCS / "reference").glob("*.md")
             for match in api_reference.MARKER.finditer(page.read_text())}
    for module in api_reference.public_module_paths():
        if not api_reference.documented_names(api_reference.resolve(module)):
            continue  # tapegrad.utils only holds tapegrad.utils.data
        assert module in pages, (f"{module} has no page in docs/reference/ with the line "
                                 f"'<!-- api: {module} -->'")
        assert pages[module] in nav, f"docs/{pages[module]} is not in mkdocs.yml's nav"


def _python_blocks(page: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", page.read_text(), flags=re.S | re.M)


PAGES_WITH_CODE = sorted(page.relative_to(DOCS).as_posix() for page in DOCS.rglob("*.md")
                         if _python_blocks(page))


def test_the_guides_with_examples_are_found():
    """A guard on the block pattern: the pages known to hold examples are run below."""
    known = {"guides/checkpoints.md", "guides/coming-from-numpy.md", "guides/how-backward-works.md"}
    assert known <= set(PAGES_WITH_CODE), PAGES_WITH_CODE


@pytest.mark.parametrize("page", PAGES_WITH_CODE)
def test_python_blocks_of_a_page_run_in_order(page, tmp_path, monkeypatch):
    """Each page's ```python blocks run as shown, in order, in one namespace (the README's
    blocks, which pages include, run in tests/test_readme.py)."""
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": f"docs_{Path(page).stem}"}
    for number, block in enumerate(_python_blocks(DOCS / page), start=1):
        exec(compile(block, f"docs/{page}, python block {number}", "exec"), namespace)


def test_doctests_in_docstrings_are_fenced_for_the_reference():
    fenced = _hook("griffe_docstrings").fence_doctests("Add.\n\n>>> 1 + 1\n2\n\nMore text.")
    assert fenced == "Add.\n\n```pycon\n>>> 1 + 1\n2\n```\n\nMore text.\n"


def test_a_readme_section_is_included_with_its_links_rewritten_for_the_page():
    text = ("# t\n\nintro\n\n## A\n\nsee [the layers](docs/architecture.md#where) and "
            "[benchmarks/RESULTS.md](benchmarks/RESULTS.md)\n\n```\n# not a heading\n```\n\n"
            "- **x**: one\n  two\n- **y**: three\n\n## B\n\nb\n")
    section = readme_sections.section(text, "## A")
    assert "# not a heading" in section and "## B" not in section and "intro" not in section
    assert readme_sections.section(text, "# t") == "intro"
    assert readme_sections.list_item(section, "- **x**") == "- **x**: one\n  two"
    relinked = readme_sections._relink(section, "README.md", "guides/page.md")
    assert "[the layers](../architecture.md#where)" in relinked
    assert "benchmarks/RESULTS.md](" not in relinked and "`benchmarks/RESULTS.md`" in relinked
    with pytest.raises(ValueError, match="no line '## C'"):
        readme_sections.section(text, "## C")


# ---------------------------------------------------------------- the built site


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site, built once with ``mkdocs build --strict``: a warning (a broken link, a missing
    reference) or an error in any tutorial notebook fails it."""
    for module in ("mkdocs", "material", "mkdocstrings_handlers.python", "mkdocs_jupyter",
                   "ipykernel", "matplotlib", "sklearn", "graphviz"):
        pytest.importorskip(module, reason=f"{module} is not installed (the docs extra)")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed (the exercise draws graphs)")
    site_dir = tmp_path_factory.mktemp("site")
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), os.environ.get("PYTHONPATH", "")]), "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                             "--site-dir", str(site_dir)], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    return site_dir


def test_every_public_name_has_an_entry_in_the_built_reference(site):
    anchors = set()
    for page in (site / "reference").rglob("*.html"):
        anchors.update(re.findall(r'id="(tapegrad[\w.]*)"', page.read_text()))
    missing = [path for path in public_paths() if path not in anchors]
    assert not missing, f"public names with no entry in the API reference: {missing}"


def test_the_tutorials_ran_while_the_site_was_built(site):
    def page(name: str) -> str:
        return (site / "tutorials" / name / "index.html").read_text()

    assert page("exercise").count("by hand: 1.0 1.0 1.0 2.0") == 1
    assert "least squares: w = " in page("gradient-descent")
    assert page("gradient-descent").count("data:image/png") >= 2
    assert "same predictions after loading: True" in page("mlp-digits")
    assert "conv2d gradcheck: True" in page("cnn")
    assert "Newton" in page("hessians") and "data:image/png" in page("hessians")
    assert "WeightedSum: True" in page("own-function")


def test_the_site_has_no_reference_to_another_host(site):
    """Offline use: scripts, styles and fonts all come with the site."""
    for page in site.rglob("*.html"):
        sources = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', page.read_text())
        remote = [source for source in sources if re.match(r"(https?:)?//", source)]
        assert not remote, f"{page.relative_to(site)} loads {remote}"


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def served_site(site):
    """The built site on a local port, as a browser would get it."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_the_site_works_in_headless_chromium(served_site):
    playwright = pytest.importorskip("playwright.sync_api",
                                     reason="playwright is not installed (the docs extra)")
    executable = _chromium()
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=executable,
                                         args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))

            page.goto(f"{served_site}/")
            assert page.title().startswith("tapegrad")
            page.click("input.md-search__input")
            page.keyboard.type("cross_entropy")
            page.wait_for_selector(".md-search-result__item", timeout=30_000)
            links = page.eval_on_selector_all(".md-search-result a",
                                              "links => links.map(link => link.href)")
            assert any("nn.functional" in link and "cross_entropy" in link for link in links), links

            page.goto(f"{served_site}/reference/tensor/")
            assert page.locator('[id="tapegrad.Tensor.backward"]').count() == 1
            assert page.locator('[id="tapegrad.Tensor"]').is_visible()

            page.goto(f"{served_site}/guides/how-backward-works/")
            page.wait_for_selector(".katex-html", timeout=15_000)  # math typeset by KaTeX
            assert page.locator(".katex-error").count() == 0

            page.goto(f"{served_site}/tutorials/gradient-descent/")
            page.wait_for_selector(".katex-html", timeout=15_000)
            plots = page.eval_on_selector_all(
                "img[src^='data:image/png']",
                "images => images.map(image => image.complete && image.naturalWidth)")
            assert len(plots) >= 2 and all(width > 100 for width in plots), plots
            assert not errors, errors
        finally:
            browser.close()


# ---------------------------------------------------------------- tapegrad docs


def test_tapegrad_docs_runs_mkdocs_serve_on_the_checkout(monkeypatch):
    from tapegrad.app import cli, docs

    for module in docs.NEEDED:
        pytest.importorskip(module, reason=f"{module} is not installed (the docs extra)")
    calls = []
    monkeypatch.setattr(docs.subprocess, "call",
                        lambda command, cwd, env: calls.append((command, cwd, env)) or 0)
    assert cli.main(["docs", "--port", "8123"]) == 0
    [(command, cwd, env)] = calls
    assert command[1:4] == ["-m", "mkdocs", "serve"]
    assert command[command.index("--config-file") + 1] == str(ROOT / "mkdocs.yml")
    assert command[command.index("--dev-addr") + 1] == "127.0.0.1:8123"
    assert cwd == ROOT and env["PYTHONPATH"].split(os.pathsep)[0] == str(ROOT)


def test_tapegrad_docs_without_mkdocs_names_the_docs_extra(monkeypatch, capsys):
    from tapegrad.app import cli, docs

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(docs.importlib.util, "find_spec",
                        lambda name: None if name == "mkdocs" else real_find_spec(name))
    monkeypatch.setattr(docs.subprocess, "call", lambda *args, **kwargs: pytest.fail("ran"))
    assert cli.main(["docs"]) == cli.EXIT_ERROR
    error = capsys.readouterr().err
    assert error.startswith("tapegrad docs: error: mkdocs")
    assert '[docs]"' in error and "pip install" in error and error.count("\n") == 1


def test_help_of_tensor_opens_with_an_overview_that_points_to_the_reference():
    import pydoc

    import tapegrad as tg

    opening = pydoc.render_doc(tg.Tensor, renderer=pydoc.plaintext).splitlines()[:25]
    text = "\n".join(opening)
    assert "records the ops applied to it" in text
    assert "docs/reference/tensor.md" in text and "tapegrad docs" in text
    assert "__add__" not in text  # the dunders come after the overview, not before
