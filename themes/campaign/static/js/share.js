// Progressive enhancement for the share block and the take-action letter. Without JavaScript
// every link still works; this adds copy buttons, the Web Share API, Mastodon on the visitor's
// own instance (remembered only in this browser's localStorage) and keeps the letter's mailto:
// link in step with the edited text. No request leaves the page.
(function () {
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  document.body.appendChild(status);
  function announce(btn, text) {
    var label = btn.textContent;
    btn.textContent = status.textContent = text;
    setTimeout(function () { btn.textContent = label; status.textContent = ""; }, 2500);
  }
  var canCopy = !!(navigator.clipboard && window.isSecureContext);

  if (canCopy) {
    document.querySelectorAll("button[data-copy]").forEach(function (btn) {
      btn.parentElement.hidden = false;
      btn.addEventListener("click", function () {
        navigator.clipboard.writeText(btn.dataset.copy).then(function () { announce(btn, btn.dataset.done); });
      });
    });
  }

  document.querySelectorAll(".share").forEach(function (block) {
    var text = block.dataset.shareText, title = block.dataset.shareTitle, url = block.dataset.shareUrl;
    var native = block.querySelector(".share-native");
    if (native && navigator.share) {
      native.parentElement.hidden = false;
      native.addEventListener("click", function () {
        navigator.share({ title: title, text: text, url: url }).catch(function () {});
      });
    }
    var form = block.querySelector(".mastodon-share");
    if (!form) return;
    var input = form.querySelector("input");
    var key = "ludd-mastodon-instance";
    try { input.value = localStorage.getItem(key) || ""; } catch (e) { /* storage disabled */ }
    form.hidden = false;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var host = input.value.trim().replace(/^https?:\/\//, "").replace(/\/.*$/, "");
      if (!/^[a-z0-9.-]+\.[a-z]{2,}(:\d+)?$/i.test(host)) { input.setCustomValidity("example.social"); input.reportValidity(); input.setCustomValidity(""); return; }
      try { localStorage.setItem(key, host); } catch (e) { /* storage disabled */ }
      window.open("https://" + host + "/share?text=" + encodeURIComponent(text), "_blank", "noopener,noreferrer");
    });
  });

  var letter = document.querySelector(".letter");
  if (letter) {
    var to = letter.querySelector("#letter-to"), subject = letter.querySelector("#letter-subject"), body = letter.querySelector("#letter-body");
    var send = letter.querySelector(".letter-send");
    var update = function () {
      send.href = "mailto:" + encodeURIComponent(to.value.trim()).replace(/%40/g, "@") +
        "?subject=" + encodeURIComponent(subject.value) + "&body=" + encodeURIComponent(body.value);
    };
    [to, subject, body].forEach(function (el) { el.addEventListener("input", update); });
    var copy = letter.querySelector(".letter-copy");
    if (canCopy) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(subject.value + "\n\n" + body.value).then(function () { announce(copy, copy.dataset.done); });
      });
    }
    var print = letter.querySelector(".letter-print");
    print.hidden = false;
    var printout = letter.querySelector(".letter-printout");
    print.addEventListener("click", function () {
      printout.textContent = subject.value + "\n\n" + body.value;
      document.body.classList.add("print-letter");
      window.print();
      document.body.classList.remove("print-letter");
    });
  }
})();
