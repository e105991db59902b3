(function () {
  var divs = document.querySelectorAll('div.ojfig');
  if (typeof Plotly === 'undefined') {
    divs.forEach(function (d) {
      d.textContent = 'Figuren kan inte visas: filen plotly.min.js saknas i samma mapp som sidan.';
    });
    return;
  }
  Plotly.register({% include "plotly-sv.json" %});
  var shared = JSON.parse(document.getElementById('ojlib-mallar').textContent);
  // A part written once in the spec's pool ({"ojr": i}) or a list as distinct values and an index per
  // item ({"ojv": [...], "ojk": [...]}) made whole again (html_export.compact_spec writes them).
  function expand(value, pool) {
    if (Array.isArray(value)) {
      for (var i = 0; i < value.length; i++) {
        if (value[i] !== null && typeof value[i] === 'object') { value[i] = expand(value[i], pool); }
      }
      return value;
    }
    if (value === null || typeof value !== 'object') { return value; }
    var keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'ojr') {  // a copy: plotly may write into what it is given
      var part = expand(pool[value.ojr], pool);
      return typeof part === 'object' ? JSON.parse(JSON.stringify(part)) : part;
    }
    if (keys.length === 2 && 'ojv' in value && 'ojk' in value) {
      return value.ojk.map(function (k) { return value.ojv[k]; });
    }
    if (keys.length === 1 && keys[0] === 'ojring') {  // a map's line: its first point, then each step (1/1000)
      var pts = [], x = 0, y = 0, d = value.ojring;
      for (var j = 0; j < d.length; j += 2) { x += d[j]; y += d[j + 1]; pts.push([x / 1000, y / 1000]); }
      return pts;
    }
    if (keys.length === 2 && 'ojlika' in value && 'ojposter' in value) {  // fields a list's objects have alike
      var same = expand(value.ojlika, pool);
      return value.ojposter.map(function (item) {
        return Object.assign(JSON.parse(JSON.stringify(same)), expand(item, pool));
      });
    }
    keys.forEach(function (k) { value[k] = expand(value[k], pool); });
    return value;
  }
  // a part that figures of the page share ({"ojdel": k}, html_export.Page): a copy of its own put back
  function unshared(value) {
    if (Array.isArray(value)) { return value.map(unshared); }
    if (value === null || typeof value !== 'object') { return value; }
    var keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'ojdel') { return unshared(JSON.parse(JSON.stringify(shared[value.ojdel]))); }
    var out = {};
    keys.forEach(function (k) { out[k] = unshared(value[k]); });
    return out;
  }
  // a trace's x or y written as two other traces' taken in turn, a gap after each pair ({"ojpar": [i, j]}:
  // a dumbbell's lines, html_export._paired)
  function paired(data) {
    data.forEach(function (trace) {
      ['x', 'y'].forEach(function (axis) {
        var p = trace && trace[axis];
        if (p === null || typeof p !== 'object' || Array.isArray(p) || !('ojpar' in p)) { return; }
        var a = data[p.ojpar[0]][axis], b = data[p.ojpar[1]][axis], out = [];
        for (var i = 0; i < a.length; i++) { out.push(a[i], b[i], null); }
        trace[axis] = out;
      });
    });
    return data;
  }
  divs.forEach(function (div) {
    var spec = unshared(JSON.parse(document.getElementById(div.getAttribute('data-spec')).textContent));
    var pool = spec.pool || [];
    spec.data = paired(expand(spec.data || [], pool));
    spec.layout = expand(spec.layout || {}, pool);
    var layout = spec.layout || {};
    if (spec.mall !== undefined && spec.mall !== null) { layout.template = shared[spec.mall]; }
    // no "Share chart" button: it would send the data to a server, and the page is offline
    var config = Object.assign({responsive: true, displaylogo: false, locale: 'sv',
                                modeBarButtonsToRemove: ['sendChartToCloud']}, spec.config || {});
    Plotly.newPlot(div, spec.data || [], layout, config).then(function (gd) {
      if (window.ojlibOnPlot) { window.ojlibOnPlot(gd, spec); }
    });
  });
  // Printing: every figure redrawn at the width of an A4 page (and back afterwards), so no chart is cut.
  var TREND_CUT_PX = 50;
  window.ojlibForPrint = function (on) {
    if (window.ojlibOpenDetails) { window.ojlibOpenDetails(on); }
    return Promise.all([...divs].map(function (div) {
      if (!div._fullLayout) { return null; }
      var meta = div.layout.meta || {};
      var printed = meta.utskriftshojd;  // a compact chart of kommuner: lower on paper
      if (on) {  // 1 px is 0,75 pt on paper: the figures' 11 px texts print at 8 pt
        if (!('ojSkarm' in div)) {
          div.ojSkarm = [div.layout.width === undefined ? null : div.layout.width, div.layout.height];
        }
        // a compact trend (two to a row, figures.trend): 50 px lower on paper, so three rows fit an A4 page
        // (374 px with its three-line legend at 340 px: two rows, a third of each page empty); its plot keeps
        // about 90 px for the years' lines
        if (!printed && meta.rutnat === 'bred' && div.ojSkarm[1]) { printed = div.ojSkarm[1] - TREND_CUT_PX; }
        var upd = {width: div.closest('.rutnat') ? 340 : 690};  // a grid: two to a row
        if (printed) { upd.height = printed; }
        return Plotly.relayout(div, upd);
      }
      if (!('ojSkarm' in div)) { return null; }
      var w = div.ojSkarm[0], h = div.ojSkarm[1]; delete div.ojSkarm;
      var back = w === null ? {width: null, autosize: true} : {width: w};
      if (h && div.layout.height !== h) { back.height = h; }  // a figure printed lower: its screen height
      return Plotly.relayout(div, back);
    }));
  };
  window.addEventListener('beforeprint', function () { window.ojlibForPrint(true); });
  window.addEventListener('afterprint', function () { window.ojlibForPrint(false); });
})();
