// Behaviour the templates ask for with data attributes, so that no page needs an inline script or
// handler (the Content-Security-Policy allows scripts from this site and with the page's nonce only).
(function () {
  "use strict";
  // <form data-confirm="Question?">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // An HTMX element with data-swap-429 shows the "too many requests" answer instead of dropping it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (event.detail.xhr.status === 429 && source && source.closest("[data-swap-429]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
