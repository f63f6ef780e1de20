// budgetql dashboard: a client of the public GraphQL API and nothing else.
// Queries and mutations go to ./graphql over HTTP; live alerts come from the
// budgetAlerts subscription over WebSocket (graphql-transport-ws) on the same path.
"use strict";

const GRAPHQL_URL = new URL("graphql", window.location.href);
const WS_URL = new URL(GRAPHQL_URL);
WS_URL.protocol = GRAPHQL_URL.protocol === "https:" ? "wss:" : "ws:";

const STATUS_LABEL = {
  ON_TRACK: "On track",
  WARNING: "Warning",
  LIMIT_REACHED: "Limit reached",
  OVER: "Over",
};

const BUDGETS_QUERY = `
query DashboardBudgets($userId: String!) {
  budgets(userId: $userId, first: 100) {
    totalCount
    nodes {
      id name type period currency
      progress {
        currentPeriod periodDaysElapsed periodDaysTotal
        totalBudgeted totalSpent totalRemaining percentUsed projectedSpent status
        categories { categoryName budgetedAmount spentAmount remainingAmount percentUsed status projectedSpent }
      }
      periods(last: 6) { periodIndex currentPeriod categories { categoryName spentAmount budgetedAmount } }
      goals { id name category saved targetAmount percentComplete perPeriodNeeded onTrack status targetDate }
    }
  }
}`;

const TEMPLATES_QUERY = `
query DashboardTemplates($userId: String!) {
  templates(userId: $userId) { key name description period builtIn }
}`;

const ALERT_FIELDS = "alertId budgetId alertType category message percentUsed timestamp";

const ALERTS_QUERY = `
query DashboardAlerts($userId: String!) {
  alerts(userId: $userId, first: 20) { nodes { ${ALERT_FIELDS} } }
}`;

const ALERTS_SUBSCRIPTION = `
subscription DashboardAlerts($userId: String!, $since: ID) {
  budgetAlerts(userId: $userId, since: $since) { ${ALERT_FIELDS} }
}`;

const APPLY_TEMPLATE = `
mutation DashboardApplyTemplate($input: ApplyTemplateInput!) {
  applyTemplate(input: $input) { budget { id name } errors { field message } }
}`;

const RECORD_TRANSACTION = `
mutation DashboardRecord($input: RecordTransactionInput!) {
  recordTransaction(input: $input) { transaction { id category amount } errors { field message } }
}`;

// -- small helpers ------------------------------------------------------------------
function $(id) {
  return document.getElementById(id);
}

/** An element with attributes (``class``, ``data-*``, ``aria-*``, …) and children. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Money as the API sends it (exact decimal text): grouped digits, never through a float. */
function money(amount, currency) {
  const negative = amount.startsWith("-");
  const [whole, fraction] = amount.replace(/^[-+]/, "").split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "−" : ""}${grouped}${fraction ? "." + fraction : ""} ${currency}`;
}

function percent(value) {
  // percentUsed comes rounded down to 2 places; show them all (at least one), as the
  // alert messages do: toFixed(1) would turn 109.99 into "110.0%", a threshold not reached.
  if (value === null || value === undefined) return "no limit";
  const text = value.toFixed(2);
  return `${text.endsWith("0") ? text.slice(0, -1) : text}%`;
}

async function graphql(query, variables) {
  const response = await fetch(GRAPHQL_URL, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || body.errors) {
    const message = body.errors ? body.errors.map((e) => e.message).join("; ") : `HTTP ${response.status}`;
    throw new Error(message);
  }
  return body.data;
}

// -- live alerts: a graphql-transport-ws client with reconnect --------------------------
class AlertStream {
  constructor({ userId, since, onAlert, onState }) {
    this.userId = userId;
    this.since = since; // the last alert seen: a reconnect replays those raised after it
    this.onAlert = onAlert;
    this.onState = onState;
    this.retries = 0;
    this.stopped = false;
    this.ws = null;
    this.timer = null;
  }

  start() {
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000, "done");
  }

  send(message) {
    this.ws.send(JSON.stringify(message));
  }

  connect() {
    this.onState(this.retries ? "reconnecting" : "connecting");
    const ws = new WebSocket(WS_URL, "graphql-transport-ws");
    this.ws = ws;
    ws.onopen = () => this.send({ type: "connection_init", payload: {} });
    ws.onmessage = (event) => {
      if (this.ws !== ws) return;
      const message = JSON.parse(event.data);
      switch (message.type) {
        case "connection_ack":
          this.send({
            id: "alerts",
            type: "subscribe",
            payload: { query: ALERTS_SUBSCRIPTION, variables: { userId: this.userId, since: this.since } },
          });
          // The pong comes back once the server has taken the subscription in hand.
          this.send({ type: "ping" });
          break;
        case "pong":
          this.retries = 0;
          this.onState("live");
          break;
        case "ping":
          this.send({ type: "pong" });
          break;
        case "next":
          if (message.payload.errors) {
            this.onState("error", message.payload.errors.map((e) => e.message).join("; "));
          } else {
            const alert = message.payload.data.budgetAlerts;
            this.since = alert.alertId;
            this.onAlert(alert);
          }
          break;
        case "error":
          // The subscription itself was refused (e.g. a bad user id): retrying will not help.
          this.stopped = true;
          this.onState("error", message.payload.map((e) => e.message).join("; "));
          ws.close(1000, "refused");
          break;
        case "complete":
          ws.close(1000, "completed");
          break;
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws || this.stopped) return;
      const delay = Math.min(1000 * 2 ** this.retries, 15000);
      this.retries += 1;
      this.onState("reconnecting");
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }
}

// -- rendering ----------------------------------------------------------------------
function statusBadge(status) {
  return el("span", { class: "status", "data-status": status }, STATUS_LABEL[status] || status);
}

// A row's head: its name, its percentage and its status badge.
function rowHead(kind, name, percentText, badge) {
  return el(
    "div",
    { class: "category-head" },
    el("span", { class: `${kind}-name` }, name),
    el("span", { class: `${kind}-percent` }, percentText),
    badge,
  );
}

// A bar filled to `width` percent, announced as a progress bar (`valueText`: how to read it, if not the number).
function progressBar(className, label, width, valueText) {
  return el(
    "div",
    {
      class: className,
      role: "progressbar",
      "aria-label": label,
      "aria-valuemin": 0,
      "aria-valuemax": 100,
      "aria-valuenow": Math.round(width),
      "aria-valuetext": valueText,
    },
    el("div", { class: "bar-fill", style: `width: ${width}%` }),
  );
}

function categoryRow(c, currency) {
  const width = c.percentUsed === null ? (Number(c.spentAmount) > 0 ? 100 : 0) : Math.min(c.percentUsed, 100);
  return el(
    "li",
    { class: "category", "data-category": c.categoryName, "data-status": c.status },
    rowHead("category", c.categoryName, percent(c.percentUsed), statusBadge(c.status)),
    progressBar(
      "bar",
      `${c.categoryName}: ${percent(c.percentUsed)} used`,
      width,
      `${percent(c.percentUsed)} used, ${STATUS_LABEL[c.status]}`,
    ),
    el(
      "div",
      { class: "category-figures" },
      `${money(c.spentAmount, currency)} of ${money(c.budgetedAmount, currency)}`,
      ` · ${money(c.remainingAmount, currency)} left`,
      ` · forecast ${money(c.projectedSpent, currency)}`,
    ),
  );
}

const SVG_NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const child of children.flat()) node.append(child);
  return node;
}

// A small chart of one category's last periods (oldest first): a bar per period's
// spending, a tick for what it had to spend. Inline SVG: nothing loaded from elsewhere.
function categoryChart(name, periods, currency) {
  const points = periods
    .slice()
    .reverse()
    .map((p) => {
      const c = p.categories.find((x) => x.categoryName === name);
      return c ? { label: p.currentPeriod, spent: Number(c.spentAmount), budgeted: Number(c.budgetedAmount), c } : null;
    })
    .filter(Boolean);
  if (points.length < 2) return null;
  const width = 120, height = 36, gap = 2;
  const top = Math.max(...points.map((p) => Math.max(p.spent, p.budgeted)), 1);
  const barWidth = (width - gap * (points.length - 1)) / points.length;
  const title = `${name}, last ${points.length} periods: ` +
    points.map((p) => `${p.label} ${money(p.c.spentAmount, currency)}`).join(", ");
  return svg(
    "svg",
    { class: "chart", viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": title },
    svg("title", {}, title),
    points.map((p, i) => {
      const x = i * (barWidth + gap);
      const h = Math.max((Math.max(p.spent, 0) / top) * (height - 2), p.spent > 0 ? 1 : 0);
      const limitY = height - (p.budgeted / top) * (height - 2);
      return svg(
        "g",
        { class: p.spent > p.budgeted ? "over" : "within", "data-period": p.label },
        svg("rect", { class: "chart-bar", x: x.toFixed(2), y: (height - h).toFixed(2), width: barWidth.toFixed(2), height: h.toFixed(2) }),
        svg("line", { class: "chart-limit", x1: x.toFixed(2), x2: (x + barWidth).toFixed(2), y1: limitY.toFixed(2), y2: limitY.toFixed(2) }),
      );
    }),
  );
}

function goalRow(g, currency) {
  const width = Math.min(Number(g.percentComplete), 100);
  return el(
    "li",
    { class: "goal", "data-goal-id": g.id, "data-status": g.status },
    rowHead(
      "goal",
      g.name,
      `${Number(g.percentComplete).toFixed(1)}%`,
      el("span", { class: "status", "data-status": g.onTrack ? "ON_TRACK" : "WARNING" },
        g.status === "REACHED" ? "reached" : g.onTrack ? "on track" : "behind"),
    ),
    progressBar("bar goal-bar", `Goal ${g.name}: ${Number(g.percentComplete).toFixed(1)}% saved`, width),
    el(
      "div",
      { class: "category-figures goal-figures" },
      `${money(g.saved, currency)} of ${money(g.targetAmount, currency)} by ${g.targetDate}`,
      g.status === "REACHED" ? "" : ` · ${money(g.perPeriodNeeded, currency)} a period needed`,
    ),
  );
}

function budgetCard(b) {
  const p = b.progress;
  const daysLeft = Math.max(p.periodDaysTotal - p.periodDaysElapsed, 0);
  const headingId = `budget-${b.id}`;
  return el(
    "article",
    { class: "budget", "data-budget-id": b.id, "data-status": p.status, "aria-labelledby": headingId },
    el(
      "header",
      { class: "budget-head" },
      el("h3", { id: headingId }, b.name),
      statusBadge(p.status),
    ),
    el("p", { class: "budget-meta" }, `${p.currentPeriod} · ${b.period.toLowerCase()} · ${b.type.toLowerCase()}`),
    el(
      "dl",
      { class: "figures" },
      el("div", {}, el("dt", {}, "Spent"), el("dd", {}, `${money(p.totalSpent, b.currency)} of ${money(p.totalBudgeted, b.currency)} (${percent(p.percentUsed)})`)),
      el("div", {}, el("dt", {}, "Days left"), el("dd", { class: "days-left" }, `${daysLeft} of ${p.periodDaysTotal}`)),
      el("div", {}, el("dt", {}, "Forecast"), el("dd", { class: "forecast" }, `${money(p.projectedSpent, b.currency)} by period end`)),
    ),
    el("ul", { class: "categories" }, p.categories.map((c) => {
      const row = categoryRow(c, b.currency);
      const chart = categoryChart(c.categoryName, b.periods || [], b.currency);
      if (chart) row.append(chart);
      return row;
    })),
    (b.goals || []).length
      ? el("section", { class: "goals", "aria-label": `Goals of ${b.name}` },
          el("h4", {}, "Goals"),
          el("ul", { class: "goal-list" }, b.goals.map((g) => goalRow(g, b.currency))))
      : "",
  );
}

function alertItem(a, budgetNames) {
  const when = new Date(a.timestamp);
  return el(
    "li",
    { class: "alert", "data-alert-type": a.alertType, "data-alert-id": a.alertId },
    el("span", { class: "alert-type" }, a.alertType.replace(/_/g, " ")),
    // The message starts with the type ("WARNING: …"), shown above it already.
    el("span", { class: "alert-message" }, a.message.replace(/^[A-Z ]+:\s*/, "")),
    el(
      "span",
      { class: "alert-meta" },
      budgetNames.get(a.budgetId) || "a budget",
      " · ",
      el("time", { datetime: a.timestamp }, when.toLocaleString()),
    ),
  );
}

// -- the page -------------------------------------------------------------------------
const state = { userId: null, stream: null, budgetNames: new Map(), seenAlerts: new Set(), refreshTimer: null };

function setLive(kind, detail) {
  const status = $("live-status");
  const text = {
    off: "Live alerts: off",
    connecting: "Live alerts: connecting…",
    reconnecting: "Live alerts: reconnecting…",
    live: "Live alerts: connected",
    error: `Live alerts: ${detail || "error"}`,
  };
  status.dataset.state = kind;
  status.textContent = text[kind];
}

function setMessage(id, text, ok) {
  const node = $(id);
  node.textContent = text;
  node.dataset.ok = ok ? "true" : "false";
}

async function loadBudgets() {
  const data = await graphql(BUDGETS_QUERY, { userId: state.userId });
  const nodes = data.budgets.nodes;
  state.budgetNames = new Map(nodes.map((b) => [b.id, b.name]));
  $("budgets").replaceChildren(...nodes.map(budgetCard));
  $("budgets-note").textContent = nodes.length
    ? `${data.budgets.totalCount} budget${data.budgets.totalCount === 1 ? "" : "s"} of ${state.userId}`
    : `${state.userId} has no budgets yet: create one from a template.`;
  const categories = [...new Set(nodes.flatMap((b) => b.progress.categories.map((c) => c.categoryName)))].sort();
  $("category-options").replaceChildren(...categories.map((name) => el("option", { value: name })));
}

function refreshSoon() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => loadBudgets().catch(showLoadError), 150);
}

function showLoadError(error) {
  $("budgets-note").textContent = `Could not load budgets: ${error.message}`;
}

function addAlert(alert, { live }) {
  if (state.seenAlerts.has(alert.alertId)) return;
  state.seenAlerts.add(alert.alertId);
  const item = alertItem(alert, state.budgetNames);
  if (live) item.classList.add("new");
  $("alert-feed").prepend(item);
  $("alerts-note").hidden = true;
}

async function loadTemplates() {
  const data = await graphql(TEMPLATES_QUERY, { userId: state.userId });
  const select = $("template-key");
  select.replaceChildren(
    ...data.templates.map((t) =>
      el("option", { value: t.key, "data-description": t.description }, `${t.name} (${t.period.toLowerCase()})`),
    ),
  );
  describeTemplate();
}

function describeTemplate() {
  const option = $("template-key").selectedOptions[0];
  $("template-description").textContent = option ? option.dataset.description : "";
}

async function showUser(userId) {
  if (state.stream) state.stream.stop();
  state.userId = userId;
  state.seenAlerts = new Set();
  $("alert-feed").replaceChildren();
  $("alerts-note").hidden = false;
  const url = new URL(window.location.href);
  url.searchParams.set("user", userId);
  window.history.replaceState(null, "", url);
  rememberUser(userId);
  for (const fieldset of document.querySelectorAll("fieldset")) fieldset.disabled = false;
  $("refresh").disabled = false;
  $("budgets-note").textContent = `Loading budgets of ${userId}…`;
  try {
    await Promise.all([loadBudgets(), loadTemplates()]);
    const recent = (await graphql(ALERTS_QUERY, { userId })).alerts.nodes; // newest first
    for (const alert of [...recent].reverse()) addAlert(alert, { live: false });
    state.stream = new AlertStream({
      userId,
      since: recent.length ? recent[0].alertId : null,
      onAlert: (alert) => {
        addAlert(alert, { live: true });
        refreshSoon();
      },
      onState: setLive,
    });
    state.stream.start();
  } catch (error) {
    showLoadError(error);
  }
}

function rememberUser(userId) {
  let recent = [];
  try {
    recent = JSON.parse(window.localStorage.getItem("budgetql.users") || "[]");
  } catch (_) {
    recent = [];
  }
  recent = [userId, ...recent.filter((u) => u !== userId)].slice(0, 10);
  try {
    window.localStorage.setItem("budgetql.users", JSON.stringify(recent));
  } catch (_) {
    /* storage may be unavailable; the list is a convenience */
  }
  $("recent-users").replaceChildren(...recent.map((u) => el("option", { value: u })));
}

function problems(errors) {
  return errors.map((e) => e.message).join("; ");
}

/** The text of an optional field, or undefined (left out of the input) when empty. */
function optional(id, suffix = "") {
  const value = $(id).value.trim();
  return value ? value + suffix : undefined;
}

/** Run a form's mutation: its problems, or ``done(payload)``, go to the form's message;
 *  on success the form is cleared and the budgets reloaded. */
async function submitForm(event, { mutation, input, message, pending, done }) {
  event.preventDefault();
  setMessage(message, pending, true);
  try {
    const payload = Object.values(await graphql(mutation, { input }))[0];
    if (payload.errors.length) {
      setMessage(message, problems(payload.errors), false);
      return;
    }
    setMessage(message, done(payload), true);
    event.target.reset();
    describeTemplate();
    await loadBudgets();
  } catch (error) {
    setMessage(message, error.message, false);
  }
}

function applyTemplate(event) {
  return submitForm(event, {
    mutation: APPLY_TEMPLATE,
    input: {
      userId: state.userId,
      templateKey: $("template-key").value,
      totalIncome: $("template-income").value.trim(),
      budgetName: optional("template-name"),
      startDate: optional("template-start", "T00:00:00"),
    },
    message: "template-message",
    pending: "Creating…",
    done: (payload) => `Created “${payload.budget.name}”.`,
  });
}

function recordTransaction(event) {
  return submitForm(event, {
    mutation: RECORD_TRANSACTION,
    input: {
      userId: state.userId,
      category: $("txn-category").value.trim(),
      amount: $("txn-amount").value.trim(),
      description: optional("txn-description"),
      occurredAt: optional("txn-date", "T00:00:00"),
    },
    message: "txn-message",
    pending: "Recording…",
    done: (payload) => `Recorded ${payload.transaction.amount} in ${payload.transaction.category}.`,
  });
}

document.addEventListener("DOMContentLoaded", () => {
  $("user-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const userId = $("user-id").value.trim();
    if (userId) showUser(userId);
  });
  $("template-form").addEventListener("submit", applyTemplate);
  $("transaction-form").addEventListener("submit", recordTransaction);
  $("template-key").addEventListener("change", describeTemplate);
  $("refresh").addEventListener("click", () => loadBudgets().catch(showLoadError));
  const fromUrl = new URL(window.location.href).searchParams.get("user");
  if (fromUrl) {
    $("user-id").value = fromUrl;
    showUser(fromUrl);
  }
});
