// Typeset the math on every page with the bundled KaTeX: \( \) and \[ \] from Markdown
// (pymdownx.arithmatex), $ $ and $$ $$ from the notebooks' Markdown cells.
function renderMath() {
  renderMathInElement(document.body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "\\[", right: "\\]", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
    ],
    throwOnError: false,
  });
}

if (typeof document$ !== "undefined") {
  document$.subscribe(renderMath);  // Material's page-load signal
} else {
  document.addEventListener("DOMContentLoaded", renderMath);
}
