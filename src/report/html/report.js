// authsweep HTML report: sorting and filtering of the tables, and the
// account search. Inline in the page (its SHA-256 is in the page's
// Content-Security-Policy). It reads the tables already in the page, never
// builds markup from their text (only textContent and attributes it
// sets), and loads nothing. Without it the page is complete, in report
// order.
(function () {
  'use strict';

  // The text a cell sorts and filters by: its data-v when it has one (a
  // rank), else the text of its summary (the account name, not the
  // details under it), else its text.
  function key(td) {
    if (!td) return '';
    var v = td.getAttribute('data-v');
    if (v !== null) return v;
    var s = td.querySelector('summary');
    return (s || td).textContent.trim();
  }

  var NUM = /^-?\d+(\.\d+)?$/;

  function compare(a, b) {
    if (a === b) return 0;
    // Empty cells last, whatever the direction is.
    if (a === '') return 1;
    if (b === '') return -1;
    if (NUM.test(a) && NUM.test(b)) return Number(a) - Number(b);
    return a < b ? -1 : 1;
  }

  function plural(n, what) {
    return n + ' ' + what + (n === 1 ? '' : 's');
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // The parts of a list: a <table> (header cells, rows of tbody, cells),
  // or the list of all accounts (a header line, <details> rows whose
  // summary holds the cells).
  function parts(t) {
    if (t.tagName === 'TABLE') {
      if (!t.tBodies[0] || !t.tHead) return null;
      return {
        body: t.tBodies[0],
        rows: Array.prototype.slice.call(t.tBodies[0].rows),
        heads: Array.prototype.slice.call(t.tHead.rows[0].cells),
        cells: function (r) { return r.cells; }
      };
    }
    var hd = t.querySelector(':scope > .hd');
    if (!hd) return null;
    return {
      body: t,
      rows: Array.prototype.slice.call(t.querySelectorAll(':scope > details')),
      heads: Array.prototype.slice.call(hd.children),
      cells: function (r) { return r.firstElementChild.children; }
    };
  }

  // Make one list sortable (click a header) and filterable (a text box,
  // and a choice for each column whose header has data-f).
  function table(t) {
    var p = parts(t);
    if (!p) return null;
    var body = p.body, rows = p.rows, heads = p.heads, cells = p.cells;
    var cell = function (r, c) { return cells(r)[c]; };
    var texts = null; // lower-cased row texts, made on the first filter
    var state = { col: -1, dir: 1 };

    heads.forEach(function (th, col) {
      var b = el('button', { type: 'button', title: 'Sort by this column' }, th.textContent);
      th.textContent = '';
      th.appendChild(b);
      b.addEventListener('click', function () {
        state.dir = state.col === col ? -state.dir : (th.hasAttribute('data-f') || col === 0 ? 1 : -1);
        state.col = col;
        var keyed = rows.map(function (r, i) { return { r: r, k: key(cell(r, col)), i: i }; });
        keyed.sort(function (x, y) {
          var c = compare(x.k, y.k);
          if (x.k !== '' && y.k !== '') c *= state.dir;
          return c || x.i - y.i;
        });
        // Rows are moved (not reordered with CSS), so reading, tabbing and
        // printing follow the order shown.
        var frag = document.createDocumentFragment();
        keyed.forEach(function (x) { frag.appendChild(x.r); });
        body.appendChild(frag);
        rows = keyed.map(function (x) { return x.r; });
        texts = null;
        heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', state.dir > 0 ? 'ascending' : 'descending');
      });
    });

    var bar = el('div', { class: 'filter' });
    var input = el('input', { type: 'search', placeholder: 'Filter rows', 'aria-label': 'Filter rows' });
    bar.appendChild(input);
    var choices = [];
    heads.forEach(function (th, col) {
      if (!th.hasAttribute('data-f')) return;
      var seen = {};
      rows.forEach(function (r) { var c = cell(r, col); seen[c ? c.textContent.trim() : ''] = 1; });
      var values = Object.keys(seen).sort();
      if (values.length < 2) return;
      var name = th.textContent;
      var sel = el('select', { 'aria-label': name });
      sel.appendChild(el('option', { value: '' }, name + ': all'));
      values.forEach(function (v) { sel.appendChild(el('option', { value: v }, v === '' ? '(none)' : v)); });
      sel.addEventListener('change', apply);
      bar.appendChild(sel);
      choices.push({ col: col, sel: sel });
    });
    var count = el('span', { class: 'count' });
    bar.appendChild(count);
    t.parentNode.insertBefore(bar, t);

    function apply() {
      var q = input.value.trim().toLowerCase();
      if (!texts && q) {
        texts = rows.map(function (r) {
          return Array.prototype.map.call(cells(r), key).join(' ').toLowerCase();
        });
      }
      var shown = 0;
      rows.forEach(function (r, i) {
        var ok = !q || texts[i].indexOf(q) >= 0;
        for (var c = 0; ok && c < choices.length; c++) {
          var want = choices[c].sel.value;
          var x = cell(r, choices[c].col);
          if (want !== '' && (x ? x.textContent.trim() : '') !== want) ok = false;
        }
        if (r.hidden === ok) r.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = shown === rows.length ? plural(rows.length, 'row') : shown + ' of ' + plural(rows.length, 'row');
      return shown;
    }
    var timer = 0;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(apply, rows.length > 2000 ? 150 : 0);
    });
    count.textContent = plural(rows.length, 'row');
    return { rows: function () { return rows; }, input: input, apply: apply, cell: cell };
  }

  function openTarget(id) {
    var d = id && document.getElementById(id);
    if (d && d.tagName === 'DETAILS') {
      d.open = true;
      var row = d.closest('tr') || d;
      row.hidden = false;
      d.scrollIntoView({ block: 'center' });
      return d;
    }
    return null;
  }

  var tables = {};
  Array.prototype.forEach.call(document.querySelectorAll('table.data, .rows'), function (t) {
    var x = table(t);
    if (x) tables[t.id] = x;
  });

  // The account search: filters the table of all accounts by name; Enter
  // opens the first account found.
  var acc = tables['t-acc'];
  var tools = document.getElementById('tools');
  if (acc && tools) {
    var q = el('input', { type: 'search', id: 'search', placeholder: 'Find an account', 'aria-label': 'Find an account' });
    var out = el('span', { id: 'search-result', role: 'status' });
    tools.appendChild(q);
    tools.appendChild(out);
    var found = null;
    var run = function () {
      var s = q.value.trim().toLowerCase();
      var n = 0;
      found = null;
      acc.rows().forEach(function (r) {
        var name = key(acc.cell(r, 0)).toLowerCase();
        var ok = !s || name.indexOf(s) >= 0;
        if (ok && s && !found) found = r;
        if (ok) n++;
        if (r.hidden === ok) r.hidden = !ok;
      });
      acc.input.value = '';
      out.textContent = s ? plural(n, 'account') + ' found' : '';
      return n;
    };
    var timer = 0;
    q.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(run, acc.rows().length > 2000 ? 150 : 0);
    });
    q.addEventListener('keydown', function (e) {
      if (e.key !== 'Enter') return;
      clearTimeout(timer);
      run();
      var prev = document.querySelector('.hit-row');
      if (prev) prev.classList.remove('hit-row');
      if (found) {
        found.classList.add('hit-row');
        var d = found.tagName === 'DETAILS' ? found : found.querySelector('details');
        if (d) openTarget(d.id);
      }
    });
  }

  // Links to an account (#a12) open its details.
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[href^="#a"]');
    if (a) openTarget(a.getAttribute('href').slice(1));
  });
  if (location.hash) openTarget(location.hash.slice(1));

  // Printing shows everything: every details open, every row shown.
  var opened = [];
  window.addEventListener('beforeprint', function () {
    opened = [];
    Array.prototype.forEach.call(document.querySelectorAll('details:not([open])'), function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener('afterprint', function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
