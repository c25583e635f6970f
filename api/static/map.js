// Map of the joint-project groups: every known town as a small grey dot (the outline of the
// region), each group's members as numbered points joined by lines, matching the numbered list.
// Works without any tile server; set window.MATCHER_TILES to a tile URL to draw a base map
// (from a static script: the page's CSP allows no inline script; add the tile host to img-src).
// Names come from the database: every label is built from text nodes, never from an HTML string
// (Leaflet renders a string given to bindTooltip, bindPopup or divIcon's html as HTML).
(function () {
  var holder = document.getElementById("karte");
  var data = document.getElementById("gruppen");
  var towns = document.getElementById("kommunen");
  if (!holder || !data || typeof L === "undefined") { return; }
  var groups = JSON.parse(data.textContent);
  function label(text) {  // a fresh element per layer: Leaflet moves it into its tooltip
    return function () {
      var span = document.createElement("span");
      span.textContent = String(text);
      return span;
    };
  }
  function pin(number, color) {
    var span = document.createElement("span");
    span.style.background = color;  // through the CSSOM, which the CSP allows
    span.textContent = String(number);
    return span;
  }
  var map = L.map(holder, {attributionControl: false, zoomSnap: 0.25});
  if (window.MATCHER_TILES) { L.tileLayer(window.MATCHER_TILES).addTo(map); }
  var bounds = [];
  if (towns) {
    JSON.parse(towns.textContent).forEach(function (t) {
      L.circleMarker([t[1], t[2]], {radius: 2.5, color: "#8a939c", weight: 1, fillOpacity: 0.6})
        .bindTooltip(label(t[0])).addTo(map);
      bounds.push([t[1], t[2]]);
    });
  }
  var colors = ["#00527a", "#b5471b", "#1d6b2f", "#6a3d9a", "#8a6d00", "#a1283a", "#00796b", "#4e5d6c"];
  groups.forEach(function (members, i) {
    var color = colors[i % colors.length];
    var points = members.filter(function (m) { return m.latitude !== null && m.longitude !== null; });
    if (points.length > 1) {
      L.polyline(points.map(function (m) { return [m.latitude, m.longitude]; }),
                 {color: color, weight: 3, opacity: 0.8}).addTo(map);
    }
    points.forEach(function (m) {
      L.marker([m.latitude, m.longitude], {
        icon: L.divIcon({className: "group-pin", html: pin(i + 1, color),
                         iconSize: [22, 22], iconAnchor: [11, 11]}),
        title: (i + 1) + ": " + m.name, keyboard: false  // Leaflet sets it as a property: text
      }).bindTooltip(label(m.name)).addTo(map);
      bounds.push([m.latitude, m.longitude]);
    });
  });
  if (bounds.length) { map.fitBounds(bounds, {padding: [20, 20]}); }
})();
