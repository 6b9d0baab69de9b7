// Firstslice front-end glue. Kept tiny and in a file of its own so the CSP needs no 'unsafe-inline'.
document.addEventListener("submit", function (event) {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// The sign-off form sends the signer's time zone, so the certificate can say the local time they signed at.
document.addEventListener("DOMContentLoaded", function () {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    zone = "";
  }
  document.querySelectorAll("input[data-time-zone]").forEach(function (input) {
    input.value = zone;
  });
});
