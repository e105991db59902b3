window.ojlibOnPlot = function (gd, spec) {
  if (!gd.classList.contains('oversikt')) { return; }
  gd.on('plotly_click', function (ev) {
    var point = ev && ev.points && ev.points[0];
    var links = (gd.layout.meta || {}).lankar || {};
    if (point && links[point.location]) { window.location.href = links[point.location]; }
  });
};
