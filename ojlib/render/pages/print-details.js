(function () {
  window.ojlibOpenDetails = function (on) {
    document.querySelectorAll(on ? 'details:not([open])' : 'details[data-oj-stangd]').forEach(function (d) {
      if (on) { d.setAttribute('data-oj-stangd', ''); d.open = true; }
      else { d.removeAttribute('data-oj-stangd'); d.open = false; }
    });
  };
  if (!window.ojlibForPrint) {  // a page without figures (ojlib.render.pdf calls this before printing)
    window.ojlibForPrint = function (on) { window.ojlibOpenDetails(on); return Promise.resolve(); };
  }
  window.addEventListener('beforeprint', function () { window.ojlibOpenDetails(true); });
  window.addEventListener('afterprint', function () { window.ojlibOpenDetails(false); });
})();
