/**
 * The waterfall page's only script, inlined (the page fetches nothing) and allowed by its hash in the
 * page's Content-Security-Policy. Plain ES2017 for any browser a ticket is opened in. It reads the
 * `tw-data` JSON element and writes log text with `textContent` only, never as HTML.
 * What it does: collapse and expand rows, and show the lines of the span or tick that was clicked.
 */
export const WATERFALL_SCRIPT = `(function () {
  'use strict';
  var dataElement = document.getElementById('tw-data');
  if (!dataElement) return;
  var data = JSON.parse(dataElement.textContent);
  var rows = Array.prototype.slice.call(document.querySelectorAll('.tw-row'));
  var details = document.getElementById('tw-details');
  // Lines are added to the panel in pages, so a span with 10 000 lines does not freeze the page.
  var PAGE = 200;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function formatOffset(ms) {
    if (ms === null) return '?';
    return ms >= 1000 ? '+' + (ms / 1000).toFixed(3) + ' s' : '+' + ms.toFixed(1) + ' ms';
  }

  function updateHidden() {
    var collapsedDepth = Infinity;
    rows.forEach(function (row) {
      var depth = Number(row.getAttribute('data-depth'));
      if (depth <= collapsedDepth) collapsedDepth = Infinity;
      if (depth > collapsedDepth) { row.hidden = true; return; }
      row.hidden = false;
      if (row.getAttribute('data-collapsed') === 'true') collapsedDepth = depth;
    });
  }

  function setCollapsed(row, collapsed) {
    if (!row.hasAttribute('data-collapsed')) return;
    row.setAttribute('data-collapsed', String(collapsed));
    var toggle = row.querySelector('.tw-toggle');
    toggle.setAttribute('aria-expanded', String(!collapsed));
    toggle.textContent = collapsed ? '\\u25b8' : '\\u25be';
  }

  function reveal(index) {
    var parent = Number(rows[index].getAttribute('data-parent'));
    while (parent >= 0) {
      setCollapsed(rows[parent], false);
      parent = Number(rows[parent].getAttribute('data-parent'));
    }
    updateHidden();
  }

  function lineElement(line, index) {
    var item = el('details', 'tw-line' + (line[3] ? ' tw-line-error' : ''));
    item.setAttribute('data-line', String(index));
    var summary = el('summary');
    summary.appendChild(el('span', 'tw-line-time', formatOffset(line[0])));
    summary.appendChild(el('span', 'tw-line-level tw-level-' + line[1], line[1]));
    summary.appendChild(el('span', 'tw-line-message', line[2]));
    item.appendChild(summary);
    var fields = line[4];
    var text = fields === null ? '(fields left out to keep this page small)' : typeof fields === 'string' ? fields : JSON.stringify(fields, null, 2);
    item.appendChild(el('pre', 'tw-fields', text));
    return item;
  }

  function showSpan(index, lineIndex) {
    var span = data.spans[index];
    if (!span) return;
    rows.forEach(function (row) { row.classList.remove('tw-selected'); });
    rows[index].classList.add('tw-selected');
    details.textContent = '';
    var title = el('h2', span.error ? 'tw-error-text' : '', span.service + ' ' + span.name);
    details.appendChild(title);
    var facts = el('p', 'tw-facts', span.duration + (span.spanId ? ' \\u00b7 span ' + span.spanId : '') +
      (span.parent ? ' \\u00b7 ' + span.parent : ''));
    details.appendChild(facts);
    span.flags.forEach(function (flag) { details.appendChild(el('p', 'tw-flag', flag)); });
    var list = el('div', 'tw-lines');
    details.appendChild(list);
    var shown = 0;
    var more = el('button', 'tw-more');
    function addPage(until) {
      var end = Math.min(span.lines.length, Math.max(until, shown + PAGE));
      for (; shown < end; shown++) list.appendChild(lineElement(span.lines[shown], shown));
      if (shown < span.lines.length) {
        more.textContent = 'show ' + Math.min(PAGE, span.lines.length - shown) + ' more of ' + (span.lines.length - shown) + ' lines';
        details.appendChild(more);
      } else if (more.parentNode) {
        more.parentNode.removeChild(more);
      }
    }
    more.addEventListener('click', function () { addPage(0); });
    addPage(lineIndex === undefined ? 0 : lineIndex + 1);
    if (lineIndex !== undefined) {
      var target = list.querySelector('[data-line="' + lineIndex + '"]');
      if (target) {
        target.open = true;
        target.classList.add('tw-line-selected');
        // Scroll the panel only: scrollIntoView would also move the page away from the chart.
        details.scrollTop = Math.max(0, target.offsetTop - details.offsetTop - 80);
      }
    }
  }

  document.addEventListener('click', function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var toggle = target.closest('.tw-toggle');
    if (toggle) {
      var row = toggle.closest('.tw-row');
      setCollapsed(row, row.getAttribute('data-collapsed') !== 'true');
      updateHidden();
      return;
    }
    var tick = target.closest('.tw-tick');
    if (tick) {
      var tickRow = Number(tick.getAttribute('data-row'));
      showSpan(tickRow, Number(tick.getAttribute('data-line')));
      return;
    }
    var bar = target.closest('[data-row]');
    if (bar) {
      var index = Number(bar.getAttribute('data-row'));
      reveal(index);
      showSpan(index);
      rows[index].scrollIntoView({ block: 'nearest' });
    }
  });

  // Hover on a tick: its line's message as the native tooltip, set on first hover from the page data.
  document.addEventListener('mouseover', function (event) {
    var tick = event.target instanceof Element ? event.target.closest('.tw-tick') : null;
    if (!tick || tick.hasAttribute('title')) return;
    var span = data.spans[Number(tick.getAttribute('data-row'))];
    var line = span && span.lines[Number(tick.getAttribute('data-line'))];
    if (!line) return;
    var more = tick.getAttribute('data-more');
    var message = line[2].length > 300 ? line[2].slice(0, 300) + '\u2026' : line[2];
    tick.setAttribute('title', formatOffset(line[0]) + ' ' + line[1] + ': ' + message + (more ? ' (+' + more + ' more lines here)' : ''));
  });

  // Open on the deepest error span, where a failure usually starts; otherwise on the first span.
  var first = 0;
  var deepest = -1;
  data.spans.forEach(function (span, i) {
    var depth = Number(rows[i].getAttribute('data-depth'));
    if (span.error && depth > deepest) { deepest = depth; first = i; }
  });
  if (rows.length > 0) { reveal(first); showSpan(first); }
})();
`
