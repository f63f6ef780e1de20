// The budgetql benchmark's glue for Actual (figure P2): one local budget file, one month.
//
//   node bench/peers/actual/month.js DATA_DIR INPUT_JSON
//
// DATA_DIR holds the budget file (Actual's own format: a SQLite database and its
// metadata). When it has no budget yet, one is created through the public API from
// INPUT_JSON, which the harness wrote from budgetql's database:
//   {"month": "YYYY-MM", "months": ["YYYY-MM", ...], "categories": [name, ...],
//    "budgeted": {name: cents}, "transactions": [["YYYY-MM-DD", cents, name], ...]}
// (inside runImport and one batchBudgetUpdates: one category group with every category;
// every transaction an outflow through addTransactions, BATCH rows a call, each call into
// a new on-budget account; each month of "months" budgets "budgeted").
// Later runs load the same file again (the harness keys DATA_DIR by the input's hash).
//
// Why this route (profiled with node --cpu-prof; Actual 26.9.0, dist/index.js): for every
// row addTransactions runs the rules, which first compute the account's running balance
// before the row: a SQL statement prepared anew (the date is a literal) that reads every
// row the account already holds. A call's rows are written only when the call ends, so in
// an empty account that read costs nothing, while one account filled 10,000 rows a call
// reads 5e9 rows for 100,000. One call of 100,000 rows instead pays for the way a call
// gathers its sync messages (it copies the list so far for every row: quadratic): about 8
// minutes, as measured before. So each call gets a new account and BATCH rows: bigger
// calls cost more in that copy (100,000 rows: 2,500 a call 18 s, 5,000 24 s, 10,000 35 s),
// smaller ones only add accounts. What Actual reports does not change: getBudgetMonth sums
// the on-budget accounts, and the budget holds the same transactions, budgeted amounts and
// months (checked at 1,000 / 10,000 / 100,000 rows against one account filled 10,000 a
// call: every field of getBudgetMonth for the month and every category's figures in every
// month the same; getBudgetMonth's p50 on the 100,000-row file the same, 0.39 ms). Two
// costs that do not depend on the data: in import mode Actual writes each column of a new
// row by trying an INSERT and, when that fails, an UPDATE, so every row throws eleven
// SQLite errors whose stack traces Node formats (8 s of the 100,000): the import runs with
// Error.stackTraceLimit = 0; and every API call commits on its own: the whole import is
// one batchBudgetUpdates, in import mode one SQLite transaction. Payees (none), sort_order
// (Actual's) and the order of the budget amounts (after the transactions) do not matter
// here; runTransfers and learnCategories stay off. Measured, 2 cores, quiet: 1,000 rows
// 0.6 s, 10,000 2.2 s, 100,000 19 s (this glue before: 0.9 s, 5.0 s and 1,463 s, the last
// one account filled 10,000 rows a call).
//
// Then it reads commands on stdin, one a line, and answers each with one line
// "BENCH_JSON {...}" on stdout (Actual's own log lines go to stdout too; the harness
// reads only the marked ones):
//   run SECONDS  getBudgetMonth(month) back to back for SECONDS: {n, p50_ms, p90_ms, p99_ms}
//   figures      that month's figures per category: {name: {budgeted, spent, balance}} in cents
//   quit         shut the API down and exit
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const api = require('@actual-app/api');

const MARK = 'BENCH_JSON ';
const BUDGET_NAME = 'budgetql-bench';
const BATCH = 2500;

function answer(value) {
  process.stdout.write(MARK + JSON.stringify(value) + '\n');
}

function quantile(sorted, q) {
  // The same definition as Python's statistics.quantiles (exclusive method).
  const pos = (sorted.length + 1) * q - 1;
  const lo = Math.min(Math.max(Math.floor(pos), 0), sorted.length - 1);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * Math.max(0, Math.min(1, pos - Math.floor(pos)));
}

async function createBudget(input) {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    await api.runImport(BUDGET_NAME, () => api.batchBudgetUpdates(async () => {
      const group = await api.createCategoryGroup({ name: 'Spending' });
      const ids = {};
      for (const name of input.categories) ids[name] = await api.createCategory({ name, group_id: group });
      const rows = input.transactions.map(([date, cents, name]) => ({ date, amount: -cents, category: ids[name] }));
      for (let i = 0; i < rows.length; i += BATCH) {
        const account = await api.createAccount({ name: `Checking ${i / BATCH + 1}`, offbudget: false }, 0);
        await api.addTransactions(account, rows.slice(i, i + BATCH));
      }
      for (const month of input.months) {
        for (const [name, cents] of Object.entries(input.budgeted)) await api.setBudgetAmount(month, ids[name], cents);
      }
    }));
  } finally {
    Error.stackTraceLimit = limit;
  }
}

async function main() {
  const [dataDir, inputPath] = process.argv.slice(2);
  const input = JSON.parse(fs.readFileSync(inputPath, 'utf8'));
  fs.mkdirSync(dataDir, { recursive: true });
  let started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  await api.init({ dataDir });
  const existing = (await api.getBudgets()).find(b => b.name === BUDGET_NAME && b.id);
  let imported = false;
  let importS = null;
  if (existing) {
    await api.loadBudget(existing.id);
  } else {
    // A budget whose metadata cannot be read (a run killed while Actual rewrote it) is not
    // listed: remove it, the new one gets a directory of its own.
    for (const entry of fs.readdirSync(dataDir)) {
      if (entry.startsWith(BUDGET_NAME + '-')) fs.rmSync(path.join(dataDir, entry), { recursive: true, force: true });
    }
    await createBudget(input); // leaves the new budget loaded
    imported = true;
    importS = seconds();
  }
  const loadS = seconds();
  const month = input.month;
  await api.getBudgetMonth(month); // fails early on a month the budget does not have
  answer({ ready: true, imported, import_s: importS, load_s: loadS, transactions: input.transactions.length });

  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [command, arg] = line.trim().split(/\s+/);
    if (command === 'run') {
      const times = [];
      const deadline = process.hrtime.bigint() + BigInt(Math.round(Number(arg) * 1e9));
      while (process.hrtime.bigint() < deadline) {
        const t = process.hrtime.bigint();
        await api.getBudgetMonth(month);
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      times.sort((a, b) => a - b);
      const r = q => Math.round(quantile(times, q) * 1000) / 1000;
      answer({ n: times.length, p50_ms: r(0.5), p90_ms: r(0.9), p99_ms: r(0.99) });
    } else if (command === 'figures') {
      const result = await api.getBudgetMonth(month);
      const figures = {};
      for (const group of result.categoryGroups) {
        for (const c of group.categories || []) {
          if (!c.is_income) figures[c.name] = { budgeted: c.budgeted, spent: -c.spent, balance: c.balance };
        }
      }
      answer(figures);
    } else if (command === 'quit') {
      break;
    } else if (command) {
      answer({ error: `unknown command ${command}` });
    }
  }
  await api.shutdown();
}

main().then(
  // Not process.exit at once: after shutdown() Actual is still rewriting the budget's
  // metadata.json (a preference it saves without waiting), and exiting now leaves that file
  // empty, so the next run could not load the budget. Node exits when that write is done.
  () => setTimeout(() => process.exit(0), 10000).unref(),
  err => {
    answer({ error: String((err && err.stack) || err) });
    process.exit(1);
  },
);
