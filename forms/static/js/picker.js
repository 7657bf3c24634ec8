// Record pickers: a text box whose value is a record's number becomes a type-ahead over
// the records the user may read (GET /e/{entity}/suggest?q=), and, when the user may
// create such records, a button that creates one in a dialog and picks it. Without this
// script the box takes the record's number, and a link finds it.
(function () {
  "use strict";
  var counter = 0;

  function suggest(entity, text) {
    return fetch("/e/" + entity + "/suggest?q=" + encodeURIComponent(text), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) { return response.json(); });
  }

  function setup(input) {
    if (input.getAttribute("data-picker-ready")) { return; }
    input.setAttribute("data-picker-ready", "yes");
    var entity = input.getAttribute("data-picker");
    var id = "picker-" + (++counter);
    var wrap = document.createElement("span");
    wrap.className = "picker";
    var box = document.createElement("input");
    box.type = "text";
    box.className = "picker-box";
    box.autocomplete = "off";
    box.value = input.getAttribute("data-picker-title") || input.value;
    box.placeholder = input.getAttribute("data-picker-search") || "";
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", id + "-list");
    box.required = input.required;
    if (input.getAttribute("aria-invalid")) { box.setAttribute("aria-invalid", "true"); }
    if (input.id) {
      box.id = input.id;
      input.id = input.id + "-value";
    }
    var list = document.createElement("ul");
    list.className = "picker-list";
    list.id = id + "-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.type = "hidden";
    input.parentNode.insertBefore(wrap, input.nextSibling);
    wrap.appendChild(box);
    wrap.appendChild(list);
    var find = wrap.parentNode.querySelector(".picker-find");
    if (find) { find.hidden = true; }
    var items = [];
    var active = -1;
    var timer = null;

    function close() {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(item) {
      input.value = String(item.id);
      box.value = item.title;
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function mark(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (o, i) { o.setAttribute("aria-selected", String(i === index)); });
      active = index;
      if (options[index]) { box.setAttribute("aria-activedescendant", options[index].id); }
    }

    function render(data) {
      items = data.items || [];
      list.replaceChildren();
      items.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("data-id", String(item.id));
        option.textContent = item.title;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(item);
        });
        list.appendChild(option);
      });
      if (!items.length) {
        var none = document.createElement("li");
        none.className = "none";
        none.textContent = data.empty || "";
        list.appendChild(none);
      }
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
      active = -1;
    }

    box.addEventListener("input", function () {
      input.value = "";
      clearTimeout(timer);
      var text = box.value;
      timer = setTimeout(function () { suggest(entity, text).then(render); }, 150);
    });
    box.addEventListener("focus", function () {
      if (!box.value) { suggest(entity, "").then(render); }
    });
    box.addEventListener("blur", function () {
      setTimeout(close, 100);
      if (!input.value && /^\d+$/.test(box.value)) { input.value = box.value; }
    });
    box.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        mark(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        mark(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(items[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });

    var create = input.getAttribute("data-picker-create");
    if (create) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link picker-new";
      button.textContent = "+ " + (input.getAttribute("data-picker-create-label") || "");
      wrap.appendChild(button);
      button.addEventListener("click", function () { quickCreate(create, choose); });
    }
  }

  function quickCreate(url, choose) {
    var dialog = document.createElement("dialog");
    dialog.className = "picker-dialog";
    document.body.appendChild(dialog);
    dialog.addEventListener("close", function () { dialog.remove(); });

    function show(html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var form = doc.querySelector("form.record-form");
      if (!form) { dialog.close(); return; }
      var shown = document.importNode(form, true);
      var alert = doc.querySelector(".alert");
      dialog.replaceChildren();
      var title = doc.querySelector("main h1");
      if (title) { dialog.appendChild(document.importNode(title, true)); }
      if (alert) { dialog.appendChild(document.importNode(alert, true)); }
      dialog.appendChild(shown);
      shown.querySelectorAll(".actions a").forEach(function (cancel) {
        cancel.addEventListener("click", function (event) {
          event.preventDefault();
          dialog.close();
        });
      });
      shown.addEventListener("submit", function (event) {
        event.preventDefault();
        fetch(shown.action, { method: "POST", body: new FormData(shown), credentials: "same-origin" })
          .then(function (response) {
            var made = /\/e\/([a-z][a-z0-9_]*)\/(\d+)$/.exec(new URL(response.url).pathname);
            if (response.ok && made) {
              suggest(made[1], made[2]).then(function (data) {
                var item = (data.items || []).filter(function (i) { return String(i.id) === made[2]; })[0];
                choose(item || { id: Number(made[2]), title: "#" + made[2] });
                dialog.close();
              });
              return null;
            }
            return response.text().then(show);
          });
      });
      pickers(dialog);
      if (!dialog.open) { dialog.showModal(); }
    }

    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(show);
  }

  function pickers(root) {
    root.querySelectorAll("input[data-picker]").forEach(setup);
  }

  window.guanxiPickers = pickers;
  pickers(document);
}());
