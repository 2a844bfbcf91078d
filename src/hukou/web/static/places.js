/* The self-check's hukou place with a script: choosing a province fills the cities, a city its
   counties (GET /places?parent=…), and a search box finds a place by name (GET /places?q=…).
   Without a script the page works the same way through its "选择" buttons; this only saves the
   round trips. The form still sends the county's 6-digit code as hukou.place. */
(function () {
  "use strict";
  var box = document.querySelector(".place-chooser");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-places");
  var province = document.getElementById("hukou.province");
  var city = document.getElementById("hukou.city");
  var county = document.getElementById("hukou.place");
  var blank = province.options[0].text;

  function list(query) {
    return fetch(url + "?" + query, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { places: [] }; })
      .then(function (data) { return data.places; });
  }

  function fill(select, places, chosen) {
    select.options.length = 0;
    select.add(new Option(blank, ""));
    places.forEach(function (p) { select.add(new Option(p.name, p.code)); });
    select.value = chosen || "";
    if (places.length === 1 && !chosen) { select.value = places[0].code; }
  }

  function cities(code, chosen) {
    fill(city, [], "");
    fill(county, [], "");
    if (!code) { return Promise.resolve(); }
    return list("parent=" + code).then(function (found) {
      fill(city, found, chosen);
      if (!chosen && city.value) { return counties(city.value, ""); }  // one city only (北京市): its counties
    });
  }

  function counties(code, chosen) {
    fill(county, [], "");
    if (!code) { return Promise.resolve(); }
    return list("parent=" + code).then(function (found) {
      if (!found.length) {  // a city with no counties below it is itself the place
        var own = city.options[city.selectedIndex];
        found = [{ code: code, name: own ? own.text : code }];
      }
      fill(county, found, chosen);
    });
  }

  province.addEventListener("change", function () { cities(province.value, ""); });
  city.addEventListener("change", function () { counties(city.value, ""); });
  Array.prototype.forEach.call(box.querySelectorAll("button.step"), function (b) { b.hidden = true; });

  var search = box.querySelector(".place-search");
  var input = document.getElementById("place-search");
  var results = document.getElementById("place-results");
  var timer = null;
  search.hidden = false;

  function choose(place) {
    var chain = place.chain;
    province.value = chain[0];
    cities(chain[0], chain[1]).then(function () { return counties(chain[1], chain[2]); }).then(function () {
      results.innerHTML = "";
      input.value = "";
      county.focus();
    });
  }

  function show(found) {
    results.innerHTML = "";
    if (!found.length) {
      var none = document.createElement("li");
      none.textContent = results.getAttribute("data-none");
      results.appendChild(none);
      return;
    }
    found.forEach(function (p) {
      var item = document.createElement("li");
      var pick = document.createElement("button");
      pick.type = "button";
      pick.className = "link";
      pick.textContent = p.full_name;
      pick.addEventListener("click", function () { choose(p); });
      item.appendChild(pick);
      results.appendChild(item);
    });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var words = input.value.trim();
    if (!words) { results.innerHTML = ""; return; }
    timer = setTimeout(function () { list("q=" + encodeURIComponent(words)).then(show); }, 250);
  });
  input.addEventListener("keydown", function (e) {  // Enter in the search box searches, it does not send the form
    if (e.key === "Enter") { e.preventDefault(); }
  });

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
