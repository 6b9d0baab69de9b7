// Firstslice front-end glue. Kept tiny and in a file of its own so the CSP needs no 'unsafe-inline'.
document.addEventListener("submit", function (event) {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
