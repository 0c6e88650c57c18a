// Progressive enhancement: reveal "copy link" buttons where the Clipboard API exists.
(function () {
  if (!navigator.clipboard || !window.isSecureContext) return;
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  document.body.appendChild(status);
  document.querySelectorAll("button[data-copy]").forEach(function (btn) {
    var label = btn.textContent;
    btn.parentElement.hidden = false;
    btn.addEventListener("click", function () {
      navigator.clipboard.writeText(btn.dataset.copy).then(function () {
        btn.textContent = status.textContent = btn.dataset.done;
        setTimeout(function () { btn.textContent = label; status.textContent = ""; }, 2500);
      });
    });
  });
})();
