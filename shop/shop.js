// The example shop. A checkout attempt is one order (product and quantity) with one Idempotency-Key; every try of it,
// a second click, a retry after a lost answer, after a 409 or a 503, sends that same key, so the API places one order.
// Changing the order ends the attempt: the next Buy starts a new one, with a new key.

const form = document.getElementById('checkout');
const unreliable = document.getElementById('unreliable');
const attemptList = document.getElementById('attempts');
const orderList = document.getElementById('orders');
const productNames = new Map(Array.from(form.elements.productId.options, (option) => [option.value, option.text]));

let current; // the attempt the next Buy belongs to
let attemptCount = 0;
const listedOrders = new Set();

form.addEventListener('input', (event) => {
  if (event.target !== unreliable) current = undefined;
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  current ??= startAttempt({ productId: form.elements.productId.value, quantity: Number(form.elements.quantity.value) });
  sendTry(current, 'click');
});

function startAttempt(order) {
  attemptCount += 1;
  const attempt = { order, key: crypto.randomUUID(), tryCount: 0, answerLost: false, tries: element('ol', { class: 'tries' }) };
  const item = element('li', { class: 'attempt', 'data-key': attempt.key });
  const summary = element('p', {}, [element('strong', {}, [`Attempt ${attemptCount}`]), `: ${order.quantity} × ${productName(order.productId)}, key `]);
  summary.append(element('code', {}, [attempt.key]));
  item.append(summary, attempt.tries);
  attemptList.append(item);
  document.getElementById('no-attempts').hidden = true;
  return attempt;
}

async function sendTry(attempt, reason) {
  attempt.tryCount += 1;
  const label = `Try ${attempt.tryCount} (${reason})`;
  const row = element('li', { 'data-try': String(attempt.tryCount), 'data-state': 'sending' }, [`${label}: sending…`]);
  attempt.tries.append(row);
  let response;
  let body;
  try {
    response = await fetch('/orders', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': attempt.key },
      body: JSON.stringify(attempt.order),
    });
    body = await response.json().catch(() => ({}));
  } catch {
    return showOutcome(row, 'failed', `${label}: no answer, the network failed. Buy again to retry with the same key.`);
  }
  // The request reached the API and was answered; the page acts as if the answer never came, as after a timeout.
  if (unreliable.checked && !attempt.answerLost) {
    attempt.answerLost = true;
    showOutcome(row, 'lost', `${label}: answer lost on the unreliable network; retrying with the same key.`);
    return sendTry(attempt, 'retry after a lost answer');
  }
  const retryAfter = retryAfterSeconds(response);
  showAnswer(row, label, response, body, retryAfter);
  if (response.status === 201) return listOrder(body.orderId);
  if ((response.status === 409 || response.status === 503) && retryAfter !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    return sendTry(attempt, `retry after ${response.status}`);
  }
}

function showAnswer(row, label, response, body, retryAfter) {
  const replayed = response.headers.get('Idempotent-Replayed');
  row.dataset.state = 'answered';
  row.dataset.status = String(response.status);
  row.dataset.replayed = String(replayed === 'true');
  const parts = [`${label}: `, element('span', { class: response.ok ? 'status ok' : 'status error' }, [`${response.status} ${response.statusText}`])];
  if (typeof body.orderId === 'string') {
    row.dataset.orderId = body.orderId;
    parts.push(' · order ', element('code', {}, [body.orderId]));
  }
  parts.push(' · ', element('span', { class: replayed === 'true' ? 'replayed' : '' }, [`Idempotent-Replayed: ${replayed ?? 'absent'}`]));
  if (response.status >= 400) parts.push(' · ', element('q', { class: 'problem' }, [String(body.title ?? 'no problem title')]));
  if (retryAfter !== undefined && response.status !== 201) parts.push(` · Retry-After: ${retryAfter} s, then a retry with the same key`);
  row.replaceChildren(...parts);
}

function showOutcome(row, state, text) {
  row.dataset.state = state;
  row.replaceChildren(text);
}

// The API sends Retry-After in seconds; anything else asks for no automatic retry.
function retryAfterSeconds(response) {
  const value = response.headers.get('Retry-After')?.trim();
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

async function listOrder(orderId) {
  if (typeof orderId !== 'string' || listedOrders.has(orderId)) return;
  listedOrders.add(orderId);
  const item = element('li', { 'data-order-id': orderId, 'data-state': 'reading' }, [element('code', {}, [orderId]), ': reading…']);
  orderList.append(item);
  try {
    const response = await fetch(`/orders/${encodeURIComponent(orderId)}`);
    const order = await response.json();
    const text = response.ok ? `: ${order.quantity} × ${productName(order.productId)}, ${order.status}` : `: ${response.status} ${order.title}`;
    item.replaceChildren(element('code', {}, [orderId]), text);
    item.dataset.state = response.ok ? 'read' : 'failed';
  } catch {
    item.replaceChildren(element('code', {}, [orderId]), ': could not be read, the network failed.');
    item.dataset.state = 'failed';
  }
}

function productName(productId) {
  return productNames.get(productId) ?? productId;
}

function element(name, attributes, children = []) {
  const node = document.createElement(name);
  for (const [attribute, value] of Object.entries(attributes)) node.setAttribute(attribute, value);
  node.append(...children);
  return node;
}
