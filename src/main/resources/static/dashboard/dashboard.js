/* The referents' dashboard: reads the indicators through the FHIR API ($evaluate-measure) with the caller's
   credentials (the browser's client certificate, or a Pro Santé Connect token typed here, kept for this tab only),
   draws the first group of the MeasureReport by one stratifier, as a bar chart and a table. It holds no data. */
(function () {
  'use strict';
  var base = '/fhir';
  var state = { report: null, labels: [], values: [], plot: null };
  window.dashboard = state;

  function $(id) { return document.getElementById(id); }

  function iso(d) { return d.toISOString().substring(0, 10); }

  function defaults() {
    var today = new Date();
    var start = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1));
    var end = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 0));
    var params = new URLSearchParams(window.location.search);
    $('periodStart').value = params.get('periodStart') || iso(start);
    $('periodEnd').value = params.get('periodEnd') || iso(end);
    ['measure', 'stratifier', 'departement'].forEach(function (name) {
      if (params.get(name)) { $(name).value = params.get(name); }
    });
    $('token').value = sessionStorage.getItem('sas-token') || '';
  }

  function figureOf(entry) {
    if (entry.measureScore) { return Number(entry.measureScore.value); }
    return entry.population && entry.population.length ? entry.population[0].count || 0 : 0;
  }

  function show(event) {
    if (event) { event.preventDefault(); }
    var token = $('token').value.trim();
    sessionStorage.setItem('sas-token', token);
    var url = base + '/Measure/' + encodeURIComponent($('measure').value) + '/$evaluate-measure?periodStart='
      + encodeURIComponent($('periodStart').value) + '&periodEnd=' + encodeURIComponent($('periodEnd').value)
      + '&stratifier=' + encodeURIComponent($('stratifier').value);
    var headers = { 'Accept': 'application/fhir+json' };
    if (token) { headers.Authorization = 'Bearer ' + token; }
    state.loading = true;
    $('error').textContent = '';
    return fetch(url, { headers: headers, credentials: 'same-origin' }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (!response.ok) {
          var message = body && body.issue && body.issue.length ? body.issue[0].diagnostics : response.statusText;
          throw new Error(response.status + ' — ' + message);
        }
        render(body);
      });
    }).catch(function (error) {
      render(null);
      $('error').textContent = 'Pas de données : ' + error.message;
    }).then(function () { state.loading = false; });
  }

  function render(report) {
    state.report = report;
    state.labels = [];
    state.values = [];
    var tbody = $('figures').querySelector('tbody');
    tbody.innerHTML = '';
    $('total').textContent = '';
    if (state.plot) { state.plot.destroy(); state.plot = null; }
    if (!report || !report.group || !report.group.length) { return; }
    var group = report.group[0];
    var only = $('departement').value.trim();
    $('total').textContent = 'Total : ' + figureOf(group);
    var stratifier = (group.stratifier || [])[0];
    (stratifier ? stratifier.stratum || [] : []).forEach(function (stratum) {
      var label = stratum.value && stratum.value.text;
      if (only && $('stratifier').value === 'departement' && label !== only) { return; }
      state.labels.push(label);
      state.values.push(figureOf(stratum));
    });
    state.labels.forEach(function (label, i) {
      var row = document.createElement('tr');
      var name = document.createElement('td');
      name.textContent = label;
      var figure = document.createElement('td');
      figure.className = 'figure';
      figure.textContent = state.values[i];
      row.appendChild(name);
      row.appendChild(figure);
      tbody.appendChild(row);
    });
    draw();
  }

  function draw() {
    if (!state.labels.length || typeof uPlot === 'undefined') { return; }
    var xs = state.labels.map(function (_, i) { return i; });
    var labels = state.labels;
    state.plot = new uPlot({
      width: Math.max(400, Math.min(1000, 80 * labels.length + 100)),
      height: 300,
      scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: function (u, min, max) { return [0, Math.max(1, max) * 1.1]; } } },
      axes: [{ values: function (u, splits) { return splits.map(function (v) { return Number.isInteger(v) ? labels[v] || '' : ''; }); } }, {}],
      series: [{}, { label: $('measure').selectedOptions[0].textContent, fill: 'rgba(0, 85, 164, 0.6)', stroke: '#0055a4',
        paths: uPlot.paths.bars({ size: [0.6, 60] }), points: { show: false } }]
    }, [xs, state.values], $('chart'));
  }

  defaults();
  $('filters').addEventListener('submit', show);
  state.show = show;
  show();
})();
