// Flowly, a pretend third-party dashboard, written as any host would: plain HTML and a
// module script, with the Secret Managers elements loaded from the server's stable path.
// Its own backend (server/demo-host/routes.ts) signs the user's token and runs the flows.

const params = new URLSearchParams(location.search);
/** `?expired=1`: the host's backend hands out tokens that expired already, to see what users then see. */
const simulateExpired = params.get('expired') === '1';
/** Refresh a token this long before it expires, so no request goes out with one about to lapse. */
const REFRESH_MARGIN_MS = 30_000;

const $ = (selector) => document.querySelector(selector);
const dialog = $('#connection-dialog');
const form = $('#connection-form');
const field = form.querySelector('secret-reference-field');

let session;
let tokenRefused = false;

async function fetchSession(projectId) {
  const query = new URLSearchParams();
  if (projectId) query.set('projectId', projectId);
  if (simulateExpired) query.set('expired', '1');
  const response = await fetch(`api/session?${query}`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`The session endpoint answered ${response.status}.`);
  return response.json();
}

/** When the token lapses, read from its payload: only to refresh it in time, not a security check. */
function expiresAt(token) {
  const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(payload)).exp * 1000;
}

/** Called by the elements before each request: a token that is still good, fetched again when needed. */
async function getToken() {
  if (tokenRefused || expiresAt(session.token) - Date.now() < REFRESH_MARGIN_MS) {
    tokenRefused = false;
    session = { ...session, token: (await fetchSession(session.project.id)).token };
  }
  return session.token;
}

// The elements say when the server refused a token; the next getToken() call fetches a new one.
document.addEventListener('sm-auth-expired', () => {
  tokenRefused = true;
});

function showProjects() {
  const select = $('#project');
  select.replaceChildren(...session.projects.map((p) => new Option(p.name, p.id, false, p.id === session.project.id)));
  select.disabled = false;
  $('#project-name').textContent = session.project.name;
  field.setAttribute('project-id', session.project.id);
}

function describeField(name, value) {
  const reference = /^\{\{sm:[^:]+:(.+)\}\}$/.exec(value);
  return reference ? `${name}: secret reference → ${reference[1]}` : `${name}: typed value, stored by Flowly`;
}

async function showConnections() {
  const response = await fetch(`api/connections?projectId=${encodeURIComponent(session.project.id)}`, { cache: 'no-store' });
  const connections = await response.json();
  $('#empty').hidden = connections.length > 0;
  $('#connections').replaceChildren(
    ...connections.map((connection) => {
      const row = $('#connection-row').content.firstElementChild.cloneNode(true);
      row.querySelector('.connection-name').textContent = connection.name;
      row.querySelector('.connection-detail').textContent = describeField('Bot Token', connection.fields.botToken ?? '');
      row.querySelector('.run').setAttribute('aria-describedby', `result-${connection.id}`);
      row.querySelector('.run-result').id = `result-${connection.id}`;
      row.querySelector('.run').addEventListener('click', () => runFlow(connection, row));
      return row;
    }),
  );
}

/** The host backend resolves the references with its engine key; the browser gets a masked summary. */
async function runFlow(connection, row) {
  const button = row.querySelector('.run');
  const result = row.querySelector('.run-result');
  button.disabled = true;
  result.className = 'run-result';
  result.textContent = 'Running…';
  try {
    const response = await fetch(`api/connections/${encodeURIComponent(connection.id)}/run`, { method: 'POST' });
    const body = await response.json();
    if (body.ok) {
      const token = body.fields.botToken;
      const source = token.fromSecretManager ? 'resolved from your secret manager by Flowly’s backend' : 'as typed';
      result.classList.add('ok');
      result.textContent = `The flow received a Bot Token: ${token.masked} (${token.length} characters), ${source}.`;
    } else {
      result.classList.add('failed');
      result.textContent = `The flow failed (${body.code}): ${body.message}`;
    }
  } catch (error) {
    result.classList.add('failed');
    result.textContent = `The flow could not run: ${error.message}`;
  } finally {
    button.disabled = false;
  }
}

function openDialog() {
  form.reset();
  $('#save-problem').hidden = true;
  dialog.showModal();
}

async function save(event) {
  event.preventDefault();
  if (!form.reportValidity()) return;
  const data = new FormData(form);
  const response = await fetch('api/connections', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ projectId: session.project.id, name: data.get('name'), fields: { botToken: data.get('botToken') } }),
  });
  if (!response.ok) {
    const problem = $('#save-problem');
    problem.textContent = (await response.json()).message;
    problem.hidden = false;
    return;
  }
  dialog.close();
  await showConnections();
}

function showSessionProblem(error) {
  const problem = $('#session-problem');
  problem.textContent = `Flowly could not sign you in: ${error.message}`;
  problem.hidden = false;
}

async function switchProject(projectId) {
  try {
    session = await fetchSession(projectId);
  } catch (error) {
    showSessionProblem(error);
    return;
  }
  params.set('project', projectId);
  history.replaceState(null, '', `?${params}`);
  showProjects();
  await showConnections();
}

async function start() {
  try {
    session = await fetchSession(params.get('project'));
  } catch (error) {
    showSessionProblem(error);
    return;
  }
  showProjects();
  // The elements load once the user is known, so their first request already carries a token.
  const { configure } = await import(new URL('/elements/secret-reference-field.js', session.apiUrl).href);
  configure({ url: session.apiUrl, getToken });

  $('#new-connection').disabled = false;
  $('#new-connection').addEventListener('click', openDialog);
  $('#cancel').addEventListener('click', () => dialog.close());
  form.addEventListener('submit', save);
  $('#project').addEventListener('change', (event) => switchProject(event.target.value));
  if (simulateExpired) $('#expired-link').textContent = 'Simulating an expired session (reload without ?expired=1 to stop)';
  await showConnections();
}

start();
