// Map of the joint-project groups on the outline of Hessen and its districts (BKG VG250, shipped
// as matcher/web/pages/static/hessen-kreise.geojson; no tile server). Each group's members are numbered pins
// (number as in the list, a click jumps to the group there) joined by lines; every member town
// has a small dot at its true place and its name beside it. Pins that would cover each other are
// moved apart on rings around their town; names go to the side where they cover least.
// The map opens on the groups (not the whole Land), and pins and names are laid out again after
// every zoom, so that zooming in (wheel, pinch, double click) pulls crowded groups apart; a name
// is never put where the map's edge would cut it or where it would cover another name or a pin:
// it waits for the zoom. (No +/− buttons: inside the map's role="img" they would be nested
// controls, and the map is no tab stop.)
// The map is a picture for pointer users: no marker or control is a tab stop, keyboard users
// get the same content in the list (skip links lead there).
// Names come from the database: every label is built from text nodes, never from an HTML string
// (Leaflet renders a string given to bindTooltip, bindPopup or divIcon's html as HTML).
(function () {
  "use strict";
  var holder = document.getElementById("karte");
  var data = document.getElementById("gruppen");
  if (!holder || !data || typeof L === "undefined") { return; }
  var ids = JSON.parse((document.getElementById("gruppen-ids") || data).textContent);
  var groups = JSON.parse(data.textContent).map(function (members, i) {
    return {id: String(ids[i]), members: members};
  });
  var HESSEN = [[49.39, 7.77], [51.66, 10.24]];  // the Land's bounding box (VG250)
  var PIN = 22;  // pin diameter in pixels (as .group-pin span in map.css)
  var GAP = 3;  // pixels between a town's pins and its name (Leaflet's own 6 px margin is off)
  var CROWDED = 2;  // a name's cost (map edge 20, another name 3, a pin 2) that leaves it out
  var colors = ["#00527a", "#b5471b", "#1d6b2f", "#6a3d9a", "#8a6d00", "#a1283a", "#00796b", "#4e5d6c"];

  function text(value) {  // a fresh element per layer: Leaflet moves it into its tooltip
    return function () {
      var span = document.createElement("span");
      span.textContent = String(value);
      return span;
    };
  }
  function pin(number, color) {
    var span = document.createElement("span");
    span.style.background = color;  // through the CSSOM, which the CSP allows
    span.textContent = String(number);
    return span;
  }

  var map = L.map(holder, {
    attributionControl: false, zoomControl: false, keyboard: false, zoomSnap: 0.25,
    minZoom: 6, maxZoom: 12
  });
  // The groups' towns, with room for pins and names around them; the Land if there are none.
  var all = [];
  groups.forEach(function (g) {
    g.members.forEach(function (m) {
      if (m.latitude !== null && m.longitude !== null) { all.push([m.latitude, m.longitude]); }
    });
  });
  if (all.length > 1) {
    map.fitBounds(L.latLngBounds(all), {padding: [48, 40], maxZoom: 10});
  } else {
    map.fitBounds(HESSEN, {padding: [10, 10]});
  }
  L.control.attribution({prefix: false})
    .addAttribution("Kreisgrenzen: © GeoBasis-DE / BKG 2017 (VG250)")  // a constant, not data
    .addTo(map);

  var outline = holder.getAttribute("data-outline");
  if (outline && window.fetch) {
    fetch(outline).then(function (r) { return r.ok ? r.json() : null; }).then(function (geo) {
      if (!geo) { return; }
      L.geoJSON(geo, {
        interactive: false,
        style: {color: "#6b7682", weight: 1, fillColor: "#ffffff", fillOpacity: 0.85}
      }).addTo(map).bringToBack();
      holder.setAttribute("data-outline-drawn", String(geo.features.length));
    });
  }

  // Towns with the groups they belong to, in list order.
  var towns = {}, order = [];
  groups.forEach(function (g, i) {
    var color = colors[i % colors.length];
    var points = g.members.filter(function (m) { return m.latitude !== null && m.longitude !== null; });
    if (points.length > 1) {
      L.polyline(points.map(function (m) { return [m.latitude, m.longitude]; }),
                 {color: color, weight: 3, opacity: 0.75, interactive: false}).addTo(map);
    }
    points.forEach(function (m) {
      if (!towns[m.id]) { towns[m.id] = {town: m, groups: []}; order.push(m.id); }
      towns[m.id].groups.push(i);
    });
  });

  // Names are measured as drawn (.town-label in map.css: 600 weight, 11.5 px).
  var measure = document.createElement("canvas").getContext("2d");
  measure.font = "600 11.5px " + window.getComputedStyle(holder).fontFamily;
  var layer = L.layerGroup().addTo(map);  // pins and names, laid out again after a zoom
  function draw() {
  layer.clearLayers();
  var size = map.getSize();
  // Pins: at the town if free, else on the nearest free place of rings around it.
  var placed = [];
  function free(x, y, gap) {
    return placed.every(function (p) { return Math.abs(p[0] - x) >= gap || Math.abs(p[1] - y) >= gap; });
  }
  function spot(at) {
    for (var ring = 0; ring < 5; ring++) {
      var steps = ring === 0 ? 1 : 6 * ring, radius = ring * (PIN - 2);
      for (var s = 0; s < steps; s++) {
        var a = -Math.PI / 2 + 2 * Math.PI * s / steps;
        var x = at.x + Math.round(radius * Math.cos(a)), y = at.y + Math.round(radius * Math.sin(a));
        if (free(x, y, PIN - 2)) { return [x, y]; }
      }
    }
    return [at.x, at.y];
  }
  var labels = [];
  order.forEach(function (id) {
    var entry = towns[id], m = entry.town, at = map.latLngToContainerPoint([m.latitude, m.longitude]);
    var box = {left: at.x, right: at.x, top: at.y, bottom: at.y};
    entry.groups.forEach(function (i) {
      var xy = spot(at), dx = xy[0] - at.x, dy = xy[1] - at.y;
      placed.push(xy);
      box.left = Math.min(box.left, xy[0] - PIN / 2); box.right = Math.max(box.right, xy[0] + PIN / 2);
      box.top = Math.min(box.top, xy[1] - PIN / 2); box.bottom = Math.max(box.bottom, xy[1] + PIN / 2);
      var marker = L.marker([m.latitude, m.longitude], {
        icon: L.divIcon({className: "group-pin", html: pin(i + 1, colors[i % colors.length]),
                         iconSize: [PIN, PIN], iconAnchor: [PIN / 2 - dx, PIN / 2 - dy]}),
        title: "Vorschlag " + (i + 1) + ": " + m.name,  // set as a property: text
        keyboard: false, riseOnHover: true
      }).addTo(layer);
      marker.on("click", function () {
        var target = document.getElementById(groups[i].id);
        if (target) { location.hash = groups[i].id; target.focus(); }
      });
    });
    labels.push({town: m, at: at, box: box});
  });

  // Names: beside the town's pins, on the side that covers the fewest pins and names. A name
  // that would cover another name or a pin wherever it goes (on a phone, in the crowded south)
  // is left out until the map is zoomed in; the list below names every town.
  var taken = [], hidden = 0;
  var mapBox = holder.getBoundingClientRect();
  Array.prototype.forEach.call(holder.querySelectorAll(".leaflet-control"), function (c) {
    var r = c.getBoundingClientRect();  // the + and − buttons: no name under them
    taken.push({left: r.left - mapBox.left, right: r.right - mapBox.left,
                top: r.top - mapBox.top, bottom: r.bottom - mapBox.top});
  });
  function overlaps(r) {
    var n = 0;
    placed.forEach(function (p) {
      if (p[0] + PIN / 2 > r.left && p[0] - PIN / 2 < r.right && p[1] + PIN / 2 > r.top && p[1] - PIN / 2 < r.bottom) { n += 2; }
    });
    taken.forEach(function (t) {
      if (t.right > r.left && t.left < r.right && t.bottom > r.top && t.top < r.bottom) { n += 3; }
    });
    if (r.left < 2 || r.top < 2 || r.right > size.x - 2 || r.bottom > size.y - 2) { n += 20; }  // cut
    return n;
  }
  function candidates(l) {
    // Right and left of the pins, level with the town or moved up or down by a line or two;
    // above and below, centred or moved sideways. Each costs a little more the farther it
    // moves, so that a name stays at its town when nothing is in the way.
    var w = measure.measureText(l.town.name).width + 8, h = 17, g = GAP, at = l.at, found = [];
    var b = {left: l.box.left - g, right: l.box.right + g, top: l.box.top - g, bottom: l.box.bottom + g};
    [0, -1, 1, -2, 2].forEach(function (k, rank) {
      var top = at.y + k * h - h / 2;
      found.push({dir: "right", rank: rank, r: {left: b.right, right: b.right + w, top: top, bottom: top + h},
                  off: [b.right - at.x, k * h]});
      found.push({dir: "left", rank: rank, r: {left: b.left - w, right: b.left, top: top, bottom: top + h},
                  off: [b.left - at.x, k * h]});
    });
    [0, -0.5, 0.5].forEach(function (k, rank) {
      var left = at.x + k * w - w / 2;
      found.push({dir: "top", rank: rank, r: {left: left, right: left + w, top: b.top - h, bottom: b.top},
                  off: [k * w, b.top - at.y]});
      found.push({dir: "bottom", rank: rank, r: {left: left, right: left + w, top: b.bottom, bottom: b.bottom + h},
                  off: [k * w, b.bottom - at.y]});
    });
    return found;
  }
  labels.forEach(function (l) {
    var best = null;
    candidates(l).forEach(function (c) {
      var cost = overlaps(c.r) + 0.1 * c.rank;
      if (best === null || cost < best.cost) { best = {cost: cost, c: c}; }
    });
    var dot = L.circleMarker([l.town.latitude, l.town.longitude],
                   {radius: 3, color: "#1b1b1b", weight: 1, fillColor: "#1b1b1b", fillOpacity: 1, interactive: false});
    if (best.cost >= CROWDED) {
      var seen = l.at.x >= 0 && l.at.y >= 0 && l.at.x <= size.x && l.at.y <= size.y;
      if (seen) { hidden++; }
    } else {
      taken.push(best.c.r);
      dot.bindTooltip(text(l.town.name), {permanent: true, direction: best.c.dir, offset: best.c.off,
                                          className: "town-label", interactive: false});
    }
    dot.addTo(layer);
  });
  holder.setAttribute("data-hidden-names", String(hidden));
  holder.setAttribute("data-zoom", String(map.getZoom()));
  holder.setAttribute("data-land-zoom", String(map.getBoundsZoom(HESSEN)));
  }
  draw();
  map.on("zoomend", draw);
})();
