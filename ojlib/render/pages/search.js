(function () {
  var box = document.getElementById('sok'), list = document.getElementById('sokresultat');
  var data = JSON.parse(document.getElementById('ojlib-sok').textContent);
  var status = document.getElementById('sokstatus');
  function norm(t) { return t.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, ''); }
  function show() {
    var q = norm(box.value.trim());
    list.textContent = '';
    if (!q) { status.textContent = ''; return; }
    var hits = data.filter(function (d) { return norm(d.namn).indexOf(q) !== -1; }).slice(0, 30);
    hits.forEach(function (d) {
      var li = document.createElement('li'), a = document.createElement('a');
      a.href = d.href; a.textContent = d.namn + ' – ' + d.typ; li.appendChild(a); list.appendChild(li);
    });
    status.textContent = hits.length ? hits.length + ' träffar' : 'Inga träffar för ' + box.value.trim();
  }
  box.addEventListener('input', show);
  box.form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var first = list.querySelector('a');
    if (first) { window.location.href = first.getAttribute('href'); }
  });
  show();
})();
