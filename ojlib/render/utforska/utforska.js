/* ojlib – utforska.html: choose område, indikator, län, kommun and year; draw what ojlib computed.
 *
 * The numbers, texts, colour classes and rules all come from the data files that ojlib wrote
 * (utforska-<område>.js); this script only picks the rows of the view and draws them with plotly.js.
 * Nothing here aggregates: län, riket and kommungrupp values, Ja shares, ranks and colour classes are
 * read, never computed. The view lives in the address (#omrade=…&lan=…&kpi=…&kommun=…&ar=…&palett=…).
 */
(function () {
  'use strict';
  var CFG = JSON.parse(document.getElementById('ojlib-utforska').textContent);
  var DATA = {}, waiting = {};
  var state = {omrade: null, kpi: null, lan: null, kommun: null, ar: null, palett: 'standard'};
  var api = window.ojlibUtforska = {ritningar: 0, senasteMs: null, tider: [], fel: [], state: state, klar: false};
  var PAL = Object.keys(CFG.paletter);
  var NBSP = '\u00a0';

  // ------------------------------------------------------------------ reference tables
  var KOMMUN = {}, LAN = {}, GRUPP = {};
  CFG.kommuner.forEach(function (k, i) { KOMMUN[k[0]] = {i: i, kod: k[0], namn: k[1], lan: k[2], grupp: k[3]}; });
  CFG.lan.forEach(function (l, i) { LAN[l[0]] = {i: i, kod: l[0], namn: l[1]}; });
  CFG.grupper.forEach(function (g, i) { GRUPP[g[0]] = {i: i, kod: g[0], namn: g[1]}; });
  var collator = new Intl.Collator('sv');
  function kommunerI(lan) {
    return CFG.kommuner.filter(function (k) { return k[2] === lan; }).map(function (k) { return KOMMUN[k[0]]; })
      .sort(function (a, b) { return collator.compare(a.namn, b.namn); });
  }
  var geoByLan = {};
  function geoFor(lan) {
    if (!geoByLan[lan]) {
      geoByLan[lan] = {type: 'FeatureCollection', features: CFG.geo.features.filter(function (f) {
        var k = KOMMUN[f.properties.kommun_kod]; return k && k.lan === lan; })};
    }
    return geoByLan[lan];
  }

  // ------------------------------------------------------------------ elements
  function $(id) { return document.getElementById(id); }
  var el = {omrade: $('v-omrade'), kpi: $('v-indikator'), lan: $('v-lan'), kommun: $('v-kommun'), ar: $('v-ar'),
            palett: $('v-palett')};
  function esc(t) {
    return String(t).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }
  function options(select, items, value) {
    select.textContent = '';
    items.forEach(function (it) {
      var o = document.createElement('option');
      o.value = it[0]; o.textContent = it[1];
      if (it[2]) { o.disabled = true; }
      select.appendChild(o);
    });
    select.value = value;
  }
  function say(text, error) {
    var s = $('status'); s.textContent = text; s.className = 'status' + (error ? ' fel' : '');
  }

  // ------------------------------------------------------------------ data files (loaded on demand)
  window.ojlibUtforskaData = function (omrade, data) {
    DATA[omrade] = data;
    (waiting[omrade] || []).forEach(function (f) { f(); });
    delete waiting[omrade];
  };
  function omradeInfo(key) { return CFG.omraden.filter(function (o) { return o.key === key; })[0]; }
  function load(omrade, done) {
    if (DATA[omrade]) { done(); return; }
    if (waiting[omrade]) { waiting[omrade].push(done); return; }
    waiting[omrade] = [done];
    var info = omradeInfo(omrade);
    say('Läser in ' + info.titel.toLowerCase() + ' …');
    var s = document.createElement('script');
    s.src = info.fil;
    s.onerror = function () {
      delete waiting[omrade];
      say('Datafilen ' + info.fil + ' saknas i mappen; bygg om webbplatsen med oj rapporter.', true);
    };
    document.head.appendChild(s);
  }

  // ------------------------------------------------------------------ the view in the address
  function readHash() {
    var p = new URLSearchParams(location.hash.replace(/^#/, ''));
    return {omrade: p.get('omrade'), kpi: p.get('kpi'), lan: p.get('lan'), kommun: p.get('kommun'),
            ar: p.get('ar'), palett: p.get('palett')};
  }
  function writeHash() {
    var p = new URLSearchParams();
    ['omrade', 'kpi', 'lan', 'kommun', 'ar', 'palett'].forEach(function (k) {
      if (state[k] !== null && state[k] !== undefined && !(k === 'palett' && state[k] === 'standard')) {
        p.set(k, state[k]);
      }
    });
    var h = '#' + p.toString();
    if (location.hash !== h) { history.replaceState(null, '', h); }
  }
  // Make a wish (from the address or a menu) a valid view: unknown values fall back to the first choice.
  function settle(wish) {
    var om = omradeInfo(wish.omrade) ? wish.omrade : CFG.omraden[0].key;
    var d = DATA[om];
    var inds = d.indikatorer;
    var ind = inds.filter(function (i) { return i.kpi === wish.kpi; })[0] || inds[0];
    var lan = LAN[wish.lan] ? wish.lan : (KOMMUN[wish.kommun] ? KOMMUN[wish.kommun].lan : CFG.lan[0][0]);
    var kommun = KOMMUN[wish.kommun] && KOMMUN[wish.kommun].lan === lan ? wish.kommun : kommunerI(lan)[0].kod;
    var ar = ind.ar.indexOf(Number(wish.ar)) >= 0 ? Number(wish.ar) : ind.ar[ind.ar.length - 1];
    var palett = PAL.indexOf(wish.palett) >= 0 ? wish.palett : 'standard';
    state.omrade = om; state.kpi = ind.kpi; state.lan = lan; state.kommun = kommun; state.ar = ar;
    state.palett = palett;
  }

  // ------------------------------------------------------------------ what a view holds
  function indicator() {
    return DATA[state.omrade].indikatorer.filter(function (i) { return i.kpi === state.kpi; })[0];
  }
  function record(ar) { return (DATA[state.omrade].varden[state.kpi] || {})[String(ar)]; }
  function isAnswer(ind) { return ind.typ === 'ja_nej' || ind.typ === 'skala'; }
  // A kommun's value in this record: the text as the reports write it, the number a bar is drawn at,
  // its colour class (code, label, colour) – all as ojlib computed them.
  function cell(ind, rec, k) {
    var i = k.i, code = Number(rec.k.charAt(i));
    var leg = DATA[state.omrade].legender[rec.leg][code];
    var p = PAL.indexOf(state.palett) + 1;
    var out = {kod: k.kod, namn: k.namn, code: code, farg: leg[p][0], textfarg: leg[p][1], klass: leg[0],
               rank: rec.rl ? rec.rl[i] : null, value: null, text: null};
    if (isAnswer(ind)) {
      if (rec.v[i] !== null) { out.value = rec.v[i]; out.text = ind.nivaer[String(rec.v[i])] || String(rec.v[i]); }
    } else if (rec.n && rec.n[i] !== null) {
      out.value = rec.n[i];
      out.text = swedish(rec.n[i], rec.d) + ind.enhet;
    } else if (rec.t && rec.t[i] !== null) {
      out.text = rec.t[i] + ind.enhet;
      out.value = Number(rec.t[i].replace(/\u00a0/g, '').replace(',', '.').replace('\u2212', '-'));
    }
    if (out.text === null) {
      out.text = (rec.m && rec.m[String(i)]) || 'saknas';
      out.klass = 'Saknas (' + out.text + ')';
    }
    return out;
  }
  // A number the data holds as its report text showed it ("82,3" is 82.3 with one decimal) written back the
  // same way: decimal comma, non-breaking space between thousands (the data file checked each one).
  function swedish(x, decimals) {
    var parts = x.toFixed(decimals).split('.');
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
    return parts.join(',');
  }
  function avser(value, i) { return Array.isArray(value) ? value[i] : value; }
  // Best first in the desired direction (largest first without one), as the reports' ranked bars;
  // a number's order is its rank in the län (ojlib's), an answer's its level; missing last, by name.
  function ranked(ind, rows) {
    var sign = ind.riktning === 'lagre_battre' ? 1 : -1;
    var have = rows.filter(function (r) { return r.value !== null; });
    var none = rows.filter(function (r) { return r.value === null; });
    have.sort(function (a, b) {
      var d = isAnswer(ind) ? sign * (a.value - b.value) : a.rank - b.rank;
      return d || (a.namn < b.namn ? -1 : a.namn > b.namn ? 1 : 0);
    });
    none.sort(function (a, b) { return a.namn < b.namn ? -1 : a.namn > b.namn ? 1 : 0; });
    return have.concat(none);
  }

  // ------------------------------------------------------------------ figures
  var FONT = {family: 'Arial, Helvetica, sans-serif', size: 13, color: '#222222'};
  var CONFIG = {responsive: true, displaylogo: false, locale: 'sv',
                modeBarButtonsToRemove: ['select2d', 'lasso2d', 'toggleSpikelines']};
  // The source line under the plot, and the exempeldata mark at its right (clear of title, legend and toolbar).
  function notes(kalla, exempel, below) {
    var out = [{name: 'kalla', text: kalla, x: 0, y: 0, xref: 'paper', yref: 'paper', xanchor: 'left',
                yanchor: 'top', yshift: -below, showarrow: false, font: {size: 11, color: '#555555'}}];
    if (exempel) {
      out.push({name: 'exempeldata', text: '<b>' + esc(CFG.exempeldata) + '</b>', x: 1, y: 0, xref: 'paper',
                yref: 'paper', xanchor: 'right', yanchor: 'top', yshift: -below, showarrow: false,
                font: {size: 12, color: '#B00020'}, bordercolor: '#B00020', borderwidth: 1, borderpad: 3,
                bgcolor: '#FFF3F3'});
    }
    return out;
  }
  // Title and subtitle; a long subtitle wraps (at about 80 characters: a figure is half the page wide).
  function head(title, subtitle) {
    var lines = subtitle ? wrap(subtitle, 80).split('<br>') : [];
    return {text: '<b>' + esc(title) + '</b>' + lines.map(function (l) {
              return '<br><span style="font-size:12px">' + esc(l) + '</span>'; }).join(''),
            x: 0.01, xanchor: 'left', xref: 'container', y: 1, yref: 'container', yanchor: 'top', pad: {t: 34}};
  }
  function subtitleLines(subtitle) { return wrap(subtitle, 80).split('<br>').length; }
  function stepped(cols) {
    var k = cols.length, out = [];
    cols.forEach(function (c, i) { out.push([i / k, c], [(i + 1) / k, c]); });
    return out;
  }
  function wrap(text, width) {
    var words = String(text).split(' '), lines = [], line = '';
    words.forEach(function (w) {
      if (line && (line + ' ' + w).length > width) { lines.push(line); line = w; } else { line = line ? line + ' ' + w : w; }
    });
    if (line) { lines.push(line); }
    return lines.join('<br>');
  }

  // The left margin the kommun names need (13 px Arial: about 7,5 px a character), fixed: plotly's
  // automargin would lay the figure out twice on every change.
  function nameMargin(order) {
    var n = Math.max.apply(null, order.map(function (r) { return r.namn.length; }));
    return Math.round(16 + 7.6 * n);
  }
  function rankedFigure(ind, rec, rows, lan, kalla, exempel) {
    var order = ranked(ind, rows);
    var names = order.map(function (r) { return r.kod === state.kommun ? '<b>' + esc(r.namn) + '</b>' : esc(r.namn); });
    var x = order.map(function (r) { return ind.typ === 'ja_nej' ? 1 : (r.value === null ? 0 : r.value); });
    var data = [{type: 'bar', name: 'Kommun', orientation: 'h', x: x, y: names, showlegend: false,
                 marker: {color: order.map(function (r) { return r.farg; }),
                          line: {color: order.map(function (r) { return r.kod === state.kommun ? '#000000' : 'rgba(0,0,0,0)'; }),
                                 width: 1.5}},
                 text: order.map(function (r) { return r.text; }),
                 textposition: ind.typ === 'ja_nej' ? 'inside' : 'outside', insidetextanchor: 'middle', textangle: 0,
                 cliponaxis: false, customdata: order.map(function (r) { return [r.namn, r.klass, r.kod]; }),
                 hovertemplate: '%{customdata[0]}: %{text} (%{customdata[1]})<extra></extra>'}];
    var li = LAN[lan].i;
    var subtitle = LAN[lan].namn + ', ' + state.ar + ' – ' + ind.riktning_text;
    var xaxis = {gridcolor: '#E5E5E5', zerolinecolor: '#BBBBBB', automargin: false};
    if (ind.typ === 'ja_nej') {
      subtitle = 'Länet: ' + (rec.ld ? rec.ld[li] : '') + '; länet ' + rec.lt[li] + ', riket ' + rec.rt +
                 ' (' + avser(rec.ra, 0) + ')';
      xaxis.showticklabels = false; xaxis.showgrid = false; xaxis.range = [0, 1];
    } else if (ind.typ === 'skala') {
      subtitle += '; länet ' + rec.lt[li] + ', riket ' + rec.rt + ' (' + avser(rec.ra, 0) + ')';
      var keys = Object.keys(ind.nivaer).map(Number).sort(function (a, b) { return a - b; });
      xaxis.tickvals = keys; xaxis.ticktext = keys.map(function (k) { return wrap(ind.nivaer[String(k)], 16); });
      xaxis.range = [0, Math.max.apply(null, keys) + 0.4];
    } else {
      [['Länet', rec.lan[li], rec.lt[li], avser(rec.la, li), CFG.farger.lan],
       ['Riket', rec.r, rec.rt, rec.ra, CFG.farger.riket]].forEach(function (l) {
        if (l[1] === null) { return; }
        data.push({type: 'scatter', mode: 'lines', name: l[0] + ': ' + l[2] + ' (' + l[3] + ')',
                   x: [l[1], l[1]], y: [names[0], names[names.length - 1]], hoverinfo: 'name',
                   line: {color: l[4], dash: 'dash', width: 2}});
      });
      xaxis.title = {text: ind.axel};
    }
    var title = head(ind.namn + ' (' + state.ar + ')', subtitle);
    var top = (ind.typ === 'ja_nej' || ind.typ === 'skala' ? 84 : 118) + 16 * (subtitleLines(subtitle) - 1);
    var height = Math.max(320, 24 * order.length + 112 + top);
    var layout = {font: FONT, paper_bgcolor: 'white', plot_bgcolor: 'white', height: height,
                  title: title, xaxis: xaxis,
                  yaxis: {autorange: 'reversed', type: 'category', automargin: false, dtick: 1},
                  margin: {t: top, b: 84, l: nameMargin(order), r: ind.typ === 'ja_nej' ? 20 : 70}, showlegend: true,
                  legend: {orientation: 'h', x: 0, xanchor: 'left', y: 1, yanchor: 'bottom'},
                  annotations: notes(kalla, exempel, ind.typ === 'ja_nej' ? 14 : 60),
                  meta: {vy: viewKey(), kommuner: order.map(function (r) { return r.kod; })}};
    return {data: data, layout: layout, order: order};
  }

  function mapFigure(ind, rec, rows, lan, kalla, exempel) {
    var legend = DATA[state.omrade].legender[rec.leg];
    var p = PAL.indexOf(state.palett) + 1;
    var k = legend.length;
    var data = [{type: 'choropleth', geojson: geoFor(lan), featureidkey: 'properties.kommun_kod',
                 locations: rows.map(function (r) { return r.kod; }),
                 z: rows.map(function (r) { return r.code + 0.5; }), zmin: 0, zmax: k,
                 colorscale: stepped(legend.map(function (e) { return e[p][0]; })),
                 marker: {line: {color: rows.map(function (r) { return r.kod === state.kommun ? '#000000' : '#FFFFFF'; }),
                                 width: rows.map(function (r) { return r.kod === state.kommun ? 2.5 : 0.5; })}},
                 colorbar: {tickvals: legend.map(function (e, i) { return i + 0.5; }),
                            ticktext: legend.map(function (e) { return wrap(e[0], 26); }),
                            title: {text: 'Färgklass'}, len: 0.8, thickness: 14, tickfont: {size: 11}},
                 customdata: rows.map(function (r) { return [r.namn, r.text, r.klass]; }),
                 hovertemplate: '%{customdata[0]}: %{customdata[1]}<br>%{customdata[2]}<extra></extra>',
                 name: ind.namn}];
    var layout = {font: FONT, paper_bgcolor: 'white', height: 520,
                  title: head('Karta: ' + ind.namn + ' (' + state.ar + ')', LAN[lan].namn + '; ' +
                              CFG.strateginamn),
                  geo: {fitbounds: 'locations', visible: false, projection: {type: 'mercator'}},
                  margin: {t: 96, b: 40, l: 10, r: 10}, annotations: notes(kalla, exempel, 8),
                  meta: {vy: viewKey()}};
    return {data: data, layout: layout};
  }

  // The comparable years of the chosen year: a definition break cuts the series, the other side is left out.
  function comparableYears(ind) {
    var from = ind.ar_fran, to = ind.ar_till;
    if (ind.brott) { if (state.ar >= ind.brott) { from = ind.brott; } else { to = ind.brott - 1; } }
    var out = [];
    for (var y = from; y <= to; y++) { out.push(y); }
    return out;
  }
  function trendFigure(ind, lan, kalla, exempel) {
    var years = comparableYears(ind);
    var k = KOMMUN[state.kommun], li = LAN[lan].i, g = GRUPP[k.grupp];
    var now = record(state.ar);
    var keys = Object.keys(ind.nivaer).map(Number).sort(function (a, b) { return a - b; });
    var lo = keys.length ? keys[0] : 0, hi = keys.length ? keys[keys.length - 1] : 1;
    function series(pick) {
      var ys = [], ts = [];
      years.forEach(function (y) {
        var rec = record(y), v = rec ? pick(rec) : [null, null];
        ys.push(v[0]); ts.push(v[1]);
      });
      return [ys, ts];
    }
    var own = series(function (rec) {
      var c = cell(ind, rec, k);
      if (c.value === null) { return [null, c.text]; }
      return [isAnswer(ind) ? 100 * (c.value - lo) / ((hi - lo) || 1) : c.value, c.text];
    });
    var units = [
      [k.namn + (ind.typ === 'ja_nej' ? ' (svar: Ja = 100, Nej = 0)' : isAnswer(ind) ?
        ' (svar: högsta nivån = 100, lägsta = 0)' : ''), own, CFG.farger.kommun, 'solid', true],
      [LAN[lan].namn + ' (' + avser(now.la, li) + ')', series(function (r) { return [r.lan[li], r.lt[li]]; }),
       CFG.farger.lan, 'dash', false],
      ['Riket (' + now.ra + ')', series(function (r) { return [r.r, r.rt]; }), CFG.farger.riket, 'dot', false],
      ['Kommungrupp ' + g.namn + ' (' + avser(now.ga, g.i) + ')',
       series(function (r) { return [r.g[g.i], r.gt[g.i]]; }), CFG.farger.grupp, 'dashdot', false]];
    var data = units.map(function (u) {
      var name = u[0];
      var answerMarks = isAnswer(ind) && u[4];
      var t = {type: 'scatter', name: name, x: years, y: u[1][0], mode: answerMarks ? 'markers+text' : 'lines+markers',
               connectgaps: false, textposition: 'top center',
               hovertext: years.map(function (y, j) { return name.split(' (')[0] + ' ' + y + ': ' + (u[1][1][j] || '–'); }),
               hoverinfo: 'text', line: {color: u[2], dash: u[3], width: u[4] ? 2.5 : 2},
               marker: {color: u[2], size: u[4] ? 9 : 6}};
      if (answerMarks) { t.text = u[1][1]; }
      return t;
    });
    var ytitle = isAnswer(ind) ? (function (a) { return a.charAt(0).toUpperCase() + a.slice(1); })(String(avser(now.la, li)))
      : ind.axel;
    var yaxis = {title: {text: ytitle}, gridcolor: '#E5E5E5', zerolinecolor: '#BBBBBB', automargin: false};
    if (isAnswer(ind)) { yaxis.range = [-5, 110]; }
    var sub = ind.riktning_text.charAt(0).toUpperCase() + ind.riktning_text.slice(1) + '; jämförbara år ' +
              years[0] + '–' + years[years.length - 1];
    var layout = {font: FONT, paper_bgcolor: 'white', plot_bgcolor: 'white', height: 470,
                  title: head(ind.namn + ' över tid: ' + k.namn, sub),
                  xaxis: {title: {text: 'År'}, tickmode: 'array', tickvals: years, ticktext: years.map(String),
                          gridcolor: '#E5E5E5', automargin: false}, yaxis: yaxis,
                  margin: {t: 150, b: 92, l: 70, r: 30},
                  legend: {orientation: 'h', x: 0, xanchor: 'left', y: 1, yanchor: 'bottom'},
                  annotations: notes(kalla, exempel, 60), meta: {vy: viewKey(), ar: years}};
    var note = 'Trenden visar år som är jämförbara med ' + state.ar + '.';
    if (ind.brott) {
      note += ' Definitionsändring ' + ind.brott + ': ' + (state.ar >= ind.brott ?
        'åren före ' + ind.brott + ' är inte jämförbara och visas inte.' :
        'åren från ' + ind.brott + ' är inte jämförbara med ' + state.ar + ' och visas inte.');
    }
    if (ind.anmarkning) { note += ' ' + ind.anmarkning; }
    return {data: data, layout: layout, note: note};
  }

  // ------------------------------------------------------------------ the table
  var sortBy = {key: 'rang', dir: 1};
  var COLUMNS = [['namn', 'Kommun', false], ['varde', 'Värde', true], ['klass', 'Färgklass', false],
                 ['rang', 'Rang i länet', true], ['grupp', 'Kommungrupp', false]];
  function tableRows(ind, order) {
    var pos = {};
    order.forEach(function (r, j) { pos[r.kod] = j; });
    var rows = order.slice();
    var key = sortBy.key, dir = sortBy.dir;
    rows.sort(function (a, b) {
      var d;
      if (key === 'namn') { d = collator.compare(a.namn, b.namn); }
      else if (key === 'grupp') { d = collator.compare(GRUPP[KOMMUN[a.kod].grupp].namn, GRUPP[KOMMUN[b.kod].grupp].namn); }
      else if (key === 'klass') { d = a.code - b.code; }
      else if (key === 'varde') {
        if (a.value === null || b.value === null) { return (a.value === null) - (b.value === null); }
        d = a.value - b.value;
      } else { d = pos[a.kod] - pos[b.kod]; }
      return dir * d || pos[a.kod] - pos[b.kod];
    });
    return rows;
  }
  function drawTable(ind, rec, order, lan, kalla) {
    var li = LAN[lan].i, t = $('tabell');
    var rows = tableRows(ind, order);
    var cap = ind.namn + ' (' + ind.kpi + '), ' + LAN[lan].namn + ', ' + state.ar;
    var cols = COLUMNS.filter(function (c) { return !(c[0] === 'rang' && isAnswer(ind)); });
    var h = '<caption>' + esc(cap) + '</caption><thead><tr>' + cols.map(function (c) {
      var sort = sortBy.key === c[0] ? (sortBy.dir > 0 ? 'ascending' : 'descending') : 'none';
      return '<th scope="col"' + (c[2] ? ' class="tal"' : '') + ' aria-sort="' + sort + '"><button type="button" data-kol="' +
             c[0] + '">' + esc(c[1]) + '</button></th>';
    }).join('') + '</tr></thead><tbody>';
    h += rows.map(function (r) {
      var rank = r.rank === null || r.rank === undefined ? (isAnswer(ind) ? 'rangordnas inte' : '–')
        : r.rank + ' av ' + rec.ln[li];
      return '<tr' + (r.kod === state.kommun ? ' class="vald"' : '') + ' data-kod="' + r.kod + '"><th scope="row">' +
             esc(r.namn) + '</th><td class="tal">' + esc(r.text) + '</td><td class="klass" style="background:' + r.farg +
             ';color:' + r.textfarg + '">' + esc(r.klass) + '</td>' +
             (isAnswer(ind) ? '' : '<td class="tal">' + esc(rank) + '</td>') + '<td>' +
             esc(GRUPP[KOMMUN[r.kod].grupp].namn) + '</td></tr>';
    }).join('');
    h += '</tbody><tfoot>';
    [['Länet', rec.lt[li], avser(rec.la, li), rec.ld ? rec.ld[li] : null],
     ['Riket', rec.rt, rec.ra, rec.rd || null]].forEach(function (c) {
      h += '<tr><th scope="row">' + c[0] + '</th><td class="tal">' + esc(c[1]) + '</td><td colspan="' + (cols.length - 2) +
           '">' + esc(c[2]) +
           (c[3] ? ': ' + esc(c[3]) : '') + '</td></tr>';
    });
    h += '</tfoot>';
    t.innerHTML = h;
    $('tabell-kalla').textContent = kalla + (DATA[state.omrade].exempeldata && kalla.indexOf(CFG.exempeldata) < 0 ?
      ' · ' + CFG.exempeldata : '') +
      '. Rang: ' + ind.rang_avser + '.';
    api.tabell = rows.map(function (r) { return r.kod; });
  }
  function tableText() {
    var t = $('tabell'), lines = [t.caption.textContent];
    t.querySelectorAll('tr').forEach(function (tr) {
      lines.push([].map.call(tr.children, function (c) { return c.textContent.replace(/\s+/g, ' ').trim(); }).join('\t'));
    });
    lines.push($('tabell-kalla').textContent);
    return lines.join('\n') + '\n';
  }

  // ------------------------------------------------------------------ drawing a view
  function viewKey() {
    return [state.omrade, state.kpi, state.lan, state.kommun, state.ar, state.palett].join('|');
  }
  function fillMenus() {
    var d = DATA[state.omrade], ind = indicator();
    options(el.omrade, CFG.omraden.map(function (o) { return [o.key, o.titel]; }), state.omrade);
    options(el.kpi, d.indikatorer.map(function (i) { return [i.kpi, i.namn + ' (' + i.kpi + ')']; })
      .concat(d.saknas.map(function (i) { return [i.kpi, i.namn + ' (' + i.kpi + ') – inga värden', true]; })), state.kpi);
    options(el.lan, CFG.lan.map(function (l) { return [l[0], l[1]]; }), state.lan);
    options(el.kommun, kommunerI(state.lan).map(function (k) { return [k.kod, k.namn]; }), state.kommun);
    options(el.ar, ind.ar.slice().reverse().map(function (y) { return [String(y), String(y)]; }), String(state.ar));
    options(el.palett, PAL.map(function (p) { return [p, CFG.paletter[p]]; }), state.palett);
  }
  function links(ind) {
    var out = [], lanPages = CFG.sidor.lan[state.lan] || {};
    var page = lanPages[state.omrade] || lanPages.alla;
    var om = omradeInfo(state.omrade).titel.toLowerCase();
    out.push(page ? '<a href="' + esc(encodeURI(page)) + '">Länsrapport: ' + esc(LAN[state.lan].namn) + ', ' + esc(om) + '</a>'
      : '<span>Ingen länsrapport för ' + esc(LAN[state.lan].namn) + ' och ' + esc(om) + ' på webbplatsen.</span>');
    var prof = CFG.sidor.kommuner[state.kommun];
    out.push(prof ? '<a href="' + esc(encodeURI(prof)) + '">Kommunprofil: ' + esc(KOMMUN[state.kommun].namn) + '</a>'
      : '<span>Ingen kommunprofil för ' + esc(KOMMUN[state.kommun].namn) + ' på webbplatsen.</span>');
    $('lankar').innerHTML = out.join(' ');
  }
  function describe(ind) {
    var typ = {ja_nej: 'Ja/Nej-fråga', skala: 'skalfråga', andel: 'andel', kr_per_inv: 'kronor per invånare',
               antal: 'antal'}[ind.typ] || ind.typ;
    $('om-indikatorn').innerHTML = '<strong>' + esc(ind.namn) + '</strong> (Kolada-id ' + esc(ind.kpi) + '; ' + esc(typ) +
      '; ' + esc(ind.riktning_text) + '; år med värden: ' + esc(ind.ar.join(', ')) + ')<br><span class="titel">' +
      esc(ind.titel) + '</span>';
  }
  var drawn = {};  // figure id -> the view it shows
  function redraw() {
    var t0 = performance.now();
    var d = DATA[state.omrade], ind = indicator(), rec = record(state.ar), lan = state.lan;
    var kalla = d.kallor[String(state.ar)] || CFG.kalla, exempel = d.exempeldata;
    fillMenus();
    writeHash();
    var rows = kommunerI(lan).map(function (k) { return cell(ind, rec, k); });
    var rank = rankedFigure(ind, rec, rows, lan, kalla, exempel);
    var map = mapFigure(ind, rec, rows, lan, kalla, exempel);
    var trendKey = [state.omrade, state.kpi, lan, state.kommun, comparableYears(ind).join(',')].join('|');
    var trend = trendFigure(ind, lan, kalla, exempel);
    var p = PAL.indexOf(state.palett);
    $('regel').textContent = 'Färgregel (' + CFG.strateginamn + '): ' + rec.regel[p] + ' ' + CFG.forklaring;
    $('trend-not').textContent = trend.note;
    $('rangordning').setAttribute('aria-label', 'Stapeldiagram: kommunerna i ' + LAN[lan].namn + ' rangordnade efter ' +
      ind.namn + ' ' + state.ar + '. Samma värden finns i tabellen.');
    $('karta').setAttribute('aria-label', 'Karta över ' + LAN[lan].namn + ' där kommunerna är färgade efter ' + ind.namn +
      ' ' + state.ar + '. Samma färgklasser finns i tabellen.');
    $('trend').setAttribute('aria-label', 'Linjediagram: ' + ind.namn + ' över tid för ' + KOMMUN[state.kommun].namn +
      ', länet, riket och kommungruppen.');
    describe(ind);
    links(ind);
    drawTable(ind, rec, rank.order, lan, kalla);
    $('saknas-del').hidden = !d.saknas.length;
    $('saknas').textContent = d.saknas.length ? 'Dessa indikatorer i området har inga värden i datakällan: ' +
      d.saknas.map(function (i) { return i.namn + ' (' + i.kpi + ')'; }).join(', ') + '.' : '';
    $('om-data').textContent = 'Område: ' + d.titel + ' · Färgstrategi: ' + CFG.strateginamn + ' (mot alla kommuner i riket) · ' +
      kalla;
    // A figure whose content did not change is left as it is (the trend, when only the year within its
    // comparable years or the palette changed); newPlot for every figure is the benchmark's baseline.
    var draw = api.nyRitning ? Plotly.newPlot : Plotly.react;
    function maybe(id, fig, key) {
      if (!api.nyRitning && drawn[id] === key) { return null; }
      drawn[id] = key;
      return draw(id, fig.data, fig.layout, CONFIG);
    }
    var done = Promise.all([
      maybe('rangordning', rank, viewKey()),
      maybe('karta', map, viewKey()),
      maybe('trend', trend, trendKey)]);
    return done.then(function () {
      var ms = performance.now() - t0;
      api.senasteMs = ms; api.tider.push(ms); api.ritningar += 1; api.vy = viewKey(); api.klar = true;
      say('Visar ' + ind.namn + ', ' + LAN[lan].namn + ', ' + KOMMUN[state.kommun].namn + ', ' + state.ar + '.');
    });
  }
  // A wish (address or menu): load its område's data if needed, settle it and draw.
  function show(wish) {
    var om = omradeInfo(wish.omrade) ? wish.omrade : CFG.omraden[0].key;
    return new Promise(function (resolve) {
      load(om, function () { wish.omrade = om; settle(wish); resolve(redraw()); });
    }).catch(function (err) { api.fel.push(String(err)); say('Något gick fel: ' + err, true); throw err; });
  }
  api.show = show;
  api.tableText = tableText;

  // ------------------------------------------------------------------ events
  function wishFromMenus(changed) {
    var wish = {omrade: el.omrade.value, kpi: el.kpi.value, lan: el.lan.value, kommun: el.kommun.value,
                ar: el.ar.value, palett: el.palett.value};
    if (changed === 'lan') { wish.kommun = null; }
    if (changed === 'omrade') { wish.kpi = null; }
    return wish;
  }
  Object.keys(el).forEach(function (key) {
    el[key].addEventListener('change', function () { show(wishFromMenus(key)); });
  });
  window.addEventListener('hashchange', function () { show(readHash()); });
  $('tabell').addEventListener('click', function (ev) {
    var b = ev.target.closest('button[data-kol]');
    if (!b) { return; }
    var key = b.getAttribute('data-kol');
    sortBy = {key: key, dir: sortBy.key === key ? -sortBy.dir : 1};
    var ind = indicator(), rec = record(state.ar);
    var rows = kommunerI(state.lan).map(function (k) { return cell(ind, rec, k); });
    drawTable(ind, rec, ranked(ind, rows), state.lan, DATA[state.omrade].kallor[String(state.ar)] || CFG.kalla);
    var again = $('tabell').querySelector('button[data-kol="' + key + '"]');
    if (again) { again.focus(); }
  });
  $('kopiera').addEventListener('click', function () {
    var text = tableText(), note = $('kopierad');
    function fallback() {
      var area = document.createElement('textarea');
      area.value = text; area.setAttribute('readonly', ''); area.style.position = 'fixed'; area.style.left = '-9999px';
      document.body.appendChild(area); area.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      document.body.removeChild(area);
      note.textContent = ok ? 'Tabellen är kopierad; klistra in den i t.ex. Excel.' :
        'Kunde inte kopiera; markera tabellen och kopiera med Ctrl+C.';
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () {
        note.textContent = 'Tabellen är kopierad; klistra in den i t.ex. Excel.';
      }, fallback);
    } else { fallback(); }
  });

  if (typeof Plotly === 'undefined') {
    say('Diagrammen kan inte visas: filen plotly.min.js saknas i samma mapp som sidan.', true);
    return;
  }
  show(readHash());
})();
