(function () {
  'use strict';
  var doc = document;

  // The sort key of a cell: its data-v attribute when it has one, else its text.
  function key(cell, numeric) {
    var v = cell ? cell.getAttribute('data-v') : null;
    if (v === null) { v = cell ? cell.textContent : ''; }
    if (numeric) {
      var n = parseFloat(v);
      return isNaN(n) ? -Infinity : n;
    }
    return v.toLowerCase();
  }

  function sortBy(table, column, descending) {
    var body = table.tBodies[0];
    var headers = table.tHead.rows[0].cells;
    var numeric = headers[column].getAttribute('data-type') === 'num';
    var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
      return { k: key(row.cells[column], numeric), i: i, row: row };
    });
    var sign = descending ? -1 : 1;
    rows.sort(function (a, b) {
      if (a.k < b.k) { return -sign; }
      if (a.k > b.k) { return sign; }
      return a.i - b.i;
    });
    var fragment = doc.createDocumentFragment();
    rows.forEach(function (r) { fragment.appendChild(r.row); });
    body.appendChild(fragment);
    for (var c = 0; c < headers.length; c++) {
      if (headers[c].hasAttribute('aria-sort')) { headers[c].setAttribute('aria-sort', 'none'); }
    }
    headers[column].setAttribute('aria-sort', descending ? 'descending' : 'ascending');
  }

  Array.prototype.forEach.call(doc.querySelectorAll('table.sortable'), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      var button = th.querySelector('button');
      if (!button) { return; }
      button.addEventListener('click', function () {
        sortBy(table, column, th.getAttribute('aria-sort') === 'ascending');
      });
    });
  });

  function applyFilter(input) {
    var table = doc.getElementById(input.getAttribute('data-filter'));
    if (!table) { return; }
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var rows = table.tBodies[0].rows;
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      if (row.careenText === undefined) { row.careenText = row.textContent.toLowerCase(); }
      var match = words.every(function (w) { return row.careenText.indexOf(w) !== -1; });
      row.hidden = !match;
      if (match) { shown++; }
    }
    var out = doc.getElementById(input.getAttribute('data-filter') + '-count');
    if (out) { out.textContent = shown + ' of ' + rows.length; }
  }

  Array.prototype.forEach.call(doc.querySelectorAll('input[data-filter]'), function (input) {
    input.addEventListener('input', function () { applyFilter(input); });
  });

  // Test hook for the headless-browser test: with #selftest in the URL, sort the
  // package table by name (descending, through the real click handler), check the
  // filter, and record the outcome on <html data-selftest>.
  if (location.hash === '#selftest') {
    var problems = [];
    try {
      var table = doc.getElementById('packages');
      if (table) {
        var button = table.tHead.rows[0].cells[0].querySelector('button');
        button.click();
        button.click();
        var names = Array.prototype.map.call(table.tBodies[0].rows, function (r) {
          return r.cells[0].textContent.toLowerCase();
        });
        for (var i = 1; i < names.length; i++) {
          if (names[i - 1] < names[i]) { problems.push('packages not sorted descending at row ' + i); break; }
        }
        var input = doc.querySelector('input[data-filter="packages"]');
        if (input && names.length) {
          input.value = names[0];
          applyFilter(input);
          var visible = Array.prototype.filter.call(table.tBodies[0].rows, function (r) { return !r.hidden; });
          if (visible.length < 1) { problems.push('filter hid every row'); }
          input.value = '';
          applyFilter(input);
        }
      }
    } catch (e) {
      problems.push(String(e));
    }
    doc.documentElement.setAttribute('data-selftest', problems.length ? 'fail: ' + problems.join('; ') : 'pass');
  }
})();
