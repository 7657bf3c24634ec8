// The board's drag and drop: dropping a card on another column fires the transition
// that leads there (POST to the JSON API with the session's CSRF token). A transition
// that asks for fields opens them in a dialog; a refusal shows its reason and the card
// goes back. Without this script the buttons on each card do the same.
(function () {
  "use strict";
  var board = document.querySelector(".board[data-entity]");
  if (!board) { return; }
  var entity = board.getAttribute("data-entity");
  var here = board.getAttribute("data-here");
  var message = document.querySelector(".board-message");
  var dialog = document.querySelector(".ask-dialog");
  var tokenInput = document.querySelector('input[name="csrf_token"]');
  var token = tokenInput ? tokenInput.value : "";
  var dragged = null;

  function tell(text) {
    message.textContent = text;
    message.hidden = false;
  }

  function refused(reason) {
    tell((board.getAttribute("data-refused") || "%s").replace("%s", reason));
  }

  function putBack(card, origin, next) {
    origin.insertBefore(card, next && next.parentNode === origin ? next : null);
  }

  function ask(card, move, origin, next) {
    var url = "/e/" + entity + "/" + card.getAttribute("data-id") + "/ask/" +
      encodeURIComponent(move.getAttribute("data-transition")) + "?next=" + encodeURIComponent(here);
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var form = doc.querySelector("form.ask");
      dialog.replaceChildren(document.importNode(form, true));
      dialog.querySelector("[data-close]").addEventListener("click", function () {
        dialog.close();
      });
      dialog.addEventListener("close", function onClose() {
        dialog.removeEventListener("close", onClose);
        if (!dialog.getAttribute("data-sent")) { putBack(card, origin, next); }
      });
      dialog.querySelector("form").addEventListener("submit", function () {
        dialog.setAttribute("data-sent", "yes");
      });
      if (window.guanxiPickers) { window.guanxiPickers(dialog); }
      dialog.showModal();
      var first = dialog.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
    }).catch(function (error) {
      putBack(card, origin, next);
      refused(error.message);
    });
  }

  function move(card, column) {
    var target = column.getAttribute("data-state");
    var origin = card.parentNode;
    var next = card.nextElementSibling;
    var step = null;
    card.querySelectorAll(".kmove").forEach(function (candidate) {
      if (candidate.getAttribute("data-target") === target) { step = candidate; }
    });
    if (!step) {
      refused(board.getAttribute("data-no-step") || "");
      return;
    }
    column.querySelector(".kcards").prepend(card);
    if (step.getAttribute("data-asks")) {
      ask(card, step, origin, next);
      return;
    }
    var url = "/api/" + entity + "/" + card.getAttribute("data-id") + "/transitions/" +
      encodeURIComponent(step.getAttribute("data-transition"));
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRF-Token": token },
      body: JSON.stringify({ version: Number(card.getAttribute("data-version")) })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) {
          window.location.assign(here);
          return;
        }
        putBack(card, origin, next);
        refused(body.detail || String(response.status));
      });
    }).catch(function (error) {
      putBack(card, origin, next);
      refused(error.message);
    });
  }

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".kcard") : null;
    if (!card) { return; }
    dragged = card;
    event.dataTransfer.setData("text/plain", card.getAttribute("data-id"));
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("dragging");
  });
  board.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    board.querySelectorAll(".column.over").forEach(function (c) { c.classList.remove("over"); });
  });
  board.querySelectorAll(".column").forEach(function (column) {
    column.addEventListener("dragover", function (event) {
      if (!dragged || dragged.closest(".column") === column) { return; }
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      column.classList.add("over");
    });
    column.addEventListener("dragleave", function (event) {
      if (!column.contains(event.relatedTarget)) { column.classList.remove("over"); }
    });
    column.addEventListener("drop", function (event) {
      event.preventDefault();
      column.classList.remove("over");
      var card = dragged;
      dragged = null;
      if (card && card.closest(".column") !== column) { move(card, column); }
    });
  });
}());
