// The collaboration form: show the deal's co-sell role only when the request is about a deal, and the
// solution's component role only when it is about a joint solution. Without JavaScript both stay visible.
(function () {
  "use strict";
  var about = document.getElementById("id_about");
  if (!about) {
    return;
  }
  var roles = { deal: "id_cosell_role", solution: "id_component_role" };
  function sync() {
    Object.keys(roles).forEach(function (kind) {
      var field = document.getElementById(roles[kind]);
      var box = field ? field.closest(".mb-3") : null;
      if (box) {
        box.hidden = about.value !== kind && !field.classList.contains("is-invalid");
      }
    });
  }
  about.addEventListener("change", sync);
  sync();
})();
