'use strict';
// The FaceKit live page: MJPEG view, clickable face boxes from /live/tracks, registration, face and stream settings.
const api = '/api/v1';
const $ = id => document.getElementById(id);
let latest = { width: 0, height: 0, tracks: [] };
let selected = null;
let viewSize = [640, 480];

async function call(path, options = {}) {
  const response = await fetch(api + path, options);
  if (response.status === 401) {
    const key = prompt('This server asks for an API key:');
    if (key) { document.cookie = 'facekit_api_key=' + encodeURIComponent(key) + '; path=/; SameSite=Strict'; return call(path, options); }
  }
  const type = response.headers.get('content-type') || '';
  const body = type.includes('json') ? await response.json() : null;
  if (!response.ok) throw new Error((body && (body.detail || body.title)) || response.statusText);
  return body;
}

function show(id, text, bad) { const p = $(id); p.textContent = text; p.classList.toggle('bad', !!bad); }

function startStream() {
  $('stream').src = `${api}/live/stream.mjpg?width=${viewSize[0]}&height=${viewSize[1]}&t=${Date.now()}`;
}

async function pollTracks() {
  try {
    latest = await call('/live/tracks');
    const s = latest.source, st = latest.stats;
    $('status').textContent = `${s.state}${s.error ? ': ' + s.error : ''} — ${s.source}`;
    $('status').classList.toggle('bad', s.state !== 'streaming');
    $('fps').textContent = st ? `input ${st.input_fps} fps · processed ${st.processed_fps} fps · latency ${st.latency_ms} ms · dropped ${st.frames_dropped} · faces ${st.faces}` : '';
    drawBoxes();
    $('tracks').innerHTML = '';
    for (const t of latest.tracks) {
      const li = document.createElement('li');
      li.textContent = `#${t.id} ${t.name ?? 'unknown'} ${t.name ? t.similarity.toFixed(2) : ''}`;
      li.dataset.track = t.id;
      $('tracks').appendChild(li);
    }
  } catch (e) {
    $('status').textContent = e.message; $('status').classList.add('bad');
  }
}

function drawBoxes() {
  const layer = $('boxes'), img = $('stream');
  layer.innerHTML = '';
  if (!latest.width || !img.clientWidth) return;
  const sx = img.clientWidth / latest.width, sy = img.clientHeight / latest.height;
  for (const t of latest.tracks) {
    const [x1, y1, x2, y2] = t.box;
    const d = document.createElement('div');
    Object.assign(d.style, { left: x1 * sx + 'px', top: y1 * sy + 'px', width: (x2 - x1) * sx + 'px', height: (y2 - y1) * sy + 'px' });
    d.dataset.track = t.id;
    d.title = `#${t.id} ${t.name ?? 'unknown'}`;
    if (selected === t.id) d.classList.add('selected');
    d.onclick = () => select(t.id);
    layer.appendChild(d);
  }
}

function select(id) {
  selected = id;
  $('register').hidden = false;
  $('reg-track').textContent = '#' + id;
  $('reg-crop').src = `${api}/live/tracks/${id}/crop.jpg?t=${Date.now()}`;
  show('reg-result', '');
  $('reg-name').focus();
}

$('reg-form').onsubmit = async e => {
  e.preventDefault();
  try {
    const r = await call(`/live/tracks/${selected}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: $('reg-name').value }) });
    show('reg-result', `registered ${r.subject.name} (${r.templates_added} sample${r.templates_added === 1 ? '' : 's'})`);
    loadPeople();
  } catch (err) { show('reg-result', err.message, true); }
};

async function loadPeople() {
  const { subjects } = await call('/subjects');
  const list = $('people');
  list.innerHTML = '';
  for (const s of subjects) {
    const li = document.createElement('li');
    li.dataset.name = s.name;
    const img = document.createElement('img');
    img.src = `${api}/subjects/${encodeURIComponent(s.name)}/photo`;
    img.onerror = () => img.remove();
    const input = document.createElement('input');
    input.value = s.name;
    input.className = 'rename-input';
    const rename = document.createElement('button');
    rename.textContent = 'Rename';
    rename.className = 'rename';
    rename.onclick = async () => {
      try { await call(`/subjects/${encodeURIComponent(s.name)}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: input.value }) }); show('face-result', `renamed ${s.name} to ${input.value}`); }
      catch (err) { show('face-result', err.message, true); }
      loadPeople();
    };
    const del = document.createElement('button');
    del.textContent = 'Delete';
    del.className = 'delete';
    del.onclick = async () => {
      if (!confirm(`Delete ${s.name} and all their templates?`)) return;
      try { await call(`/subjects/${encodeURIComponent(s.name)}`, { method: 'DELETE' }); show('face-result', `deleted ${s.name}`); }
      catch (err) { show('face-result', err.message, true); }
      loadPeople();
    };
    const count = document.createElement('span');
    count.textContent = `(${s.templates})`;
    li.append(img, input, count, rename, del);
    list.appendChild(li);
  }
}

$('upload-form').onsubmit = async e => {
  e.preventDefault();
  const form = new FormData();
  form.append('name', $('upload-name').value);
  for (const f of $('upload-file').files) form.append('image', f);
  try { const r = await call('/subjects', { method: 'POST', body: form }); show('face-result', `added ${r.subject.name} (${r.templates_added} image${r.templates_added === 1 ? '' : 's'})`); }
  catch (err) { show('face-result', err.message, true); }
  loadPeople();
};

async function loadThreshold() {
  const { threshold } = await call('/settings/face');
  $('threshold').value = threshold;
  $('threshold-value').textContent = Number(threshold).toFixed(2);
}
$('threshold').oninput = () => { $('threshold-value').textContent = Number($('threshold').value).toFixed(2); };
$('threshold').onchange = async () => {
  try { const r = await call('/settings/face', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ threshold: Number($('threshold').value) }) }); show('face-result', `threshold ${r.threshold.toFixed(2)}`); }
  catch (err) { show('face-result', err.message, true); }
};

let viewFps = 15;

function fillStream(view) {
  const s = view.settings, f = $('stream-form');
  const sizes = $('view-size');
  sizes.innerHTML = '';
  for (const [w, h] of view.view_presets) sizes.add(new Option(`${w}×${h}`, `${w}x${h}`));
  sizes.value = `${s.view_width}x${s.view_height}`;
  viewSize = [s.view_width, s.view_height];
  viewFps = s.view_fps ?? 15;
  f.source_type.value = s.source_type;
  f.file.value = s.file ?? ''; f.folder.value = s.folder ?? ''; f.camera.value = s.camera;
  for (const k of ['url', 'host', 'port', 'path', 'user']) f['rtsp.' + k].value = s.rtsp[k] ?? '';
  f['rtsp.password'].value = '';
  f['rtsp.password'].placeholder = s.rtsp.has_password ? '(stored — leave empty to keep)' : '';
  f.fps.value = s.fps; f.width.value = s.width; f.height.value = s.height;
  f.dnn_resize.checked = s.dnn_resize; f.dnn_size.value = s.dnn_size; f.loop.checked = s.loop;
  showSourceFields();
}

function showSourceFields() {
  const type = $('source-type').value;
  for (const el of document.querySelectorAll('[data-for]')) el.hidden = el.dataset.for !== type;
}
$('source-type').onchange = showSourceFields;

$('stream-form').onsubmit = async e => {
  e.preventDefault();
  const f = e.target, [vw, vh] = f.view.value.split('x').map(Number);
  const body = {
    source_type: f.source_type.value, file: f.file.value || null, folder: f.folder.value || null, camera: Number(f.camera.value || 0),
    rtsp: { url: f['rtsp.url'].value || null, host: f['rtsp.host'].value || null, port: Number(f['rtsp.port'].value || 554),
            path: f['rtsp.path'].value || null, user: f['rtsp.user'].value || null, password: f['rtsp.password'].value || null },
    fps: Number(f.fps.value || 0), width: Number(f.width.value || 0), height: Number(f.height.value || 0),
    view_width: vw, view_height: vh, dnn_resize: f.dnn_resize.checked, dnn_size: Number(f.dnn_size.value || 640), loop: f.loop.checked,
    view_fps: viewFps, // not on the form: kept as the config file has it
  };
  try { fillStream(await call('/settings/stream', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })); show('stream-result', 'saved; stream restarted'); startStream(); }
  catch (err) { show('stream-result', err.message, true); }
};

(async () => {
  try { fillStream(await call('/settings/stream')); } catch (err) { show('stream-result', err.message, true); }
  startStream();
  loadThreshold().catch(() => {});
  loadPeople().catch(() => {});
  pollTracks();
  setInterval(pollTracks, 300);
  window.addEventListener('resize', drawBoxes);
})();
