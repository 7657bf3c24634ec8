// Type-ahead for the search box in the header: as the user types, the records found
// (GET /api/search, grouped by entity) appear under the box; arrow keys move through
// them, Enter opens one, Escape closes the list. Without this script the box is a plain
// form that opens /search?q=.
(function () {
  "use strict";
  var input = document.getElementById("global-search");
  var box = document.getElementById("global-search-results");
  if (!input || !box || !window.fetch) { return; }
  var timer = null;
  var asked = "";
  var links = [];
  var active = -1;

  function clear() {
    while (box.firstChild) { box.removeChild(box.firstChild); }
    links = [];
    active = -1;
  }

  function close() {
    clear();
    box.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  function mark(index) {
    links.forEach(function (link, i) {
      link.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0) { input.setAttribute("aria-activedescendant", links[index].id); }
    else { input.removeAttribute("aria-activedescendant"); }
  }

  function option(href, text, detail) {
    var link = document.createElement("a");
    link.href = href;
    link.id = "search-option-" + links.length;
    link.setAttribute("role", "option");
    link.className = "search-option";
    var title = document.createElement("span");
    title.className = "title";
    title.textContent = text;
    link.appendChild(title);
    if (detail) {
      var via = document.createElement("span");
      via.className = "via";
      via.textContent = detail;
      link.appendChild(via);
    }
    links.push(link);
    return link;
  }

  function show(answer) {
    clear();
    if (!answer.groups.length) {
      var none = document.createElement("p");
      none.className = "none";
      none.textContent = box.getAttribute("data-none") || "—";
      box.appendChild(none);
    }
    answer.groups.forEach(function (group) {
      var section = document.createElement("div");
      section.className = "search-group";
      section.setAttribute("data-entity", group.entity);
      var heading = document.createElement("div");
      heading.className = "search-entity";
      heading.textContent = group.label;
      section.appendChild(heading);
      group.hits.forEach(function (hit) {
        var detail = hit.text ? hit.field_label + ": " + hit.text : "";
        section.appendChild(option(hit.url, hit.title, detail));
      });
      if (group.more) {
        section.appendChild(option(group.list_url, "…", ""));
      }
      box.appendChild(section);
    });
    box.appendChild(option("/search?q=" + encodeURIComponent(answer.q),
                           (input.getAttribute("placeholder") || "").replace("…", "") + " → " + answer.q, ""));
    box.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function ask() {
    var words = input.value.trim();
    if (words === asked) { return; }
    asked = words;
    if (words.length < 2) { close(); return; }
    fetch("/api/search?limit=5&q=" + encodeURIComponent(words),
          {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (answer && answer.q === input.value.trim().slice(0, 200)) { show(answer); }
      })
      .catch(function () { close(); });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (box.hidden || !links.length) { return; }
    if (event.key === "ArrowDown") {
      event.preventDefault();
      mark((active + 1) % links.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      mark(active <= 0 ? links.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = links[active].href;
    } else if (event.key === "Escape") {
      close();
    }
  });
  document.addEventListener("click", function (event) {
    if (!box.contains(event.target) && event.target !== input) { close(); }
  });
})();
