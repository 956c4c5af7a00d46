// admin.mjs drives the admin page (GET /) in a real headless Chromium: the key field, the keys
// table, making and revoking a key, and the API tester from image to model. browser_test.go runs
// it with BASE_URL, ADMIN_KEY, IMAGE, CHROMIUM and KILN_TOOLS (whose node_modules holds
// playwright-core); FAIL_SHOT is where a screenshot goes on failure and KILN_SHOT, when set, where
// one goes at the end. On success it prints one line: RESULT {"ci_id", "ci_prefix", "job_id", ...}.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const BASE_URL = env('BASE_URL'), ADMIN_KEY = env('ADMIN_KEY'), IMAGE = env('IMAGE');
const require = createRequire(path.join(env('KILN_TOOLS'), 'node_modules', 'noop.js'));
const { chromium } = require('playwright-core');

const log = (...a) => console.log(new Date().toISOString().slice(11, 23), ...a);
function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
}
function equal(got, want, what) {
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}
const prefixOf = (secret) => secret.split('_').slice(0, 2).join('_');

// launch gives the browser a fresh, temporary profile, removed when it closes.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});
const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
const page = await context.newPage();
page.setDefaultTimeout(15000);
const pageErrors = [];
page.on('pageerror', (e) => { pageErrors.push(String(e)); log('PAGE ERROR', String(e)); });
page.on('console', (m) => log(`console.${m.type()}:`, m.text()));
page.on('requestfailed', (r) => log('request failed:', r.method(), r.url(), r.failure()?.errorText));
page.on('response', (r) => log('answer:', r.request().method(), r.url().replace(BASE_URL, ''), r.status()));

// rowOf is the keys table's row for a key prefix.
const rowOf = (prefix) => page.locator('#keys-body tr', { has: page.locator('code', { hasText: new RegExp(`^${prefix}$`) }) });

let failed = false;
try {
  // The page loads without a key, with the headings and the table's columns.
  const resp = await page.goto(BASE_URL + '/');
  equal(resp.status(), 200, 'GET / status');
  check((resp.headers()['content-security-policy'] || '').includes("default-src 'self'"), 'GET / sends its CSP');
  await page.getByRole('heading', { level: 1, name: 'Kiln server' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'API Key Management' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'API Access' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'API tester' }).waitFor();
  equal(await page.locator('#keys-table thead th').allTextContents(),
    ['Key Prefix', 'Scopes', 'Created', 'Last Used', 'Status', 'Actions'], 'the keys table header');
  equal(await page.locator('#keys-table thead th[scope=col]').count(), 6, 'header cells with scope=col');
  const keyField = page.getByLabel('Admin API key');
  equal(await keyField.getAttribute('type'), 'password', 'the key field type');
  equal(await page.locator('#base-url').textContent(), BASE_URL, 'the base URL');
  check((await page.locator('#curl-example').textContent()).includes(`curl -X POST ${BASE_URL}/api/v1/jobs`), 'the curl example uses the base URL');
  equal(await page.getByRole('link', { name: '/api/v1/openapi' }).getAttribute('href'), '/api/v1/openapi', 'the OpenAPI link');
  equal(await page.getByRole('link', { name: '/api/v1/postman' }).getAttribute('href'), '/api/v1/postman', 'the Postman link');
  // No resource comes from anywhere else.
  const external = await page.evaluate(() => [...document.querySelectorAll('[src], link[href]')]
    .map((e) => e.src || e.href).filter((u) => !u.startsWith(location.origin) && !u.startsWith('data:')));
  equal(external, [], 'resources from elsewhere');
  log('page loaded');

  // A wrong key: the page shows the 401's message.
  await keyField.fill('kiln_00000000_' + 'A'.repeat(43));
  await page.getByRole('button', { name: 'Use key' }).click();
  await page.locator('#key-status').filter({ hasText: /401/ }).waitFor();
  const wrong = await page.locator('#key-status').textContent();
  check(/not valid/.test(wrong), `the 401 message is shown: ${JSON.stringify(wrong)}`);
  equal(await page.evaluate(() => sessionStorage.length), 0, 'a refused key is not kept');
  log('wrong key:', wrong);

  // The admin key: the table lists it, active.
  const adminPrefix = prefixOf(ADMIN_KEY);
  await keyField.fill(ADMIN_KEY);
  await page.getByRole('button', { name: 'Use key' }).click();
  const adminRow = rowOf(adminPrefix);
  await adminRow.waitFor();
  equal((await adminRow.locator('td').nth(4).textContent()).trim(), 'active', 'the admin key status');
  await page.locator('#key-status').filter({ hasText: 'Using key ' + adminPrefix }).waitFor();
  equal(await page.evaluate(() => [localStorage.length, location.href.includes('kiln_')]), [0, false], 'localStorage and URL hold no key');
  // The provider list came with it, local first and chosen, the fake one after.
  equal(await page.locator('#provider option').first().getAttribute('value'), 'local', 'the first provider');
  equal(await page.locator('#provider').inputValue(), 'local', 'the chosen provider');
  equal(await page.locator('#provider option').evaluateAll((os) => os.map((o) => [o.value, o.disabled])),
    [['local', false], ['fake', false]], 'the providers');
  log('admin key accepted:', adminPrefix);

  // Make a key "ci" with jobs:read only: its secret is shown once, and the table gains a row.
  const rowsBefore = await page.locator('#keys-body tr').count();
  await page.getByLabel('Name').fill('ci');
  await page.getByRole('checkbox', { name: 'jobs:read' }).setChecked(true);
  await page.getByRole('checkbox', { name: 'jobs:write' }).setChecked(false);
  await page.getByRole('checkbox', { name: 'keys:admin' }).setChecked(false);
  await page.getByRole('button', { name: 'Create key' }).click();
  const box = page.locator('#secret-box');
  await box.waitFor({ state: 'visible' });
  check((await box.textContent()).includes('Copy it now: it is not shown again'), 'the secret box warns');
  const secret = (await page.locator('#new-secret').textContent()).trim();
  check(/^kiln_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/.test(secret), `the secret's form: ${JSON.stringify(secret)}`);
  const webhookSecret = (await page.locator('#new-webhook-secret').textContent()).trim();
  check(webhookSecret.length >= 16 && !webhookSecret.startsWith('('), `a webhook secret: ${JSON.stringify(webhookSecret)}`);
  await page.getByRole('button', { name: 'Copy secret' }).waitFor();
  await page.getByRole('button', { name: 'Copy webhook secret' }).waitFor();
  const ciPrefix = prefixOf(secret);
  const ciRow = rowOf(ciPrefix);
  await ciRow.waitFor();
  equal(await page.locator('#keys-body tr').count(), rowsBefore + 1, 'rows after creating ci');
  equal(await ciRow.locator('td').nth(1).locator('.scope').allTextContents(), ['jobs:read'], 'ci scopes');
  equal((await ciRow.locator('td').nth(3).textContent()).trim(), 'never', 'ci last used');
  equal((await ciRow.locator('td').nth(4).textContent()).trim(), 'active', 'ci status');
  const ciID = await ciRow.getAttribute('data-key-id');
  log('created ci:', ciPrefix);

  // Reload: the key stays (session storage), the secret is gone from the page.
  await page.reload();
  await rowOf(adminPrefix).waitFor();
  await rowOf(ciPrefix).waitFor();
  const html = await page.content();
  check(!html.includes(secret), 'the secret is not in the DOM after a reload');
  check(!html.includes(secret.slice(ciPrefix.length + 1)), 'no part of the secret after a reload');
  check(!html.includes(webhookSecret), 'the webhook secret is not in the DOM after a reload');
  check(await page.locator('#secret-box').isHidden(), 'the secret box is hidden after a reload');
  equal(await page.evaluate(() => localStorage.length), 0, 'localStorage after a reload');
  log('reloaded: secret gone');

  // Revoke ci, accepting the confirmation.
  let confirmed = '';
  page.once('dialog', async (d) => { confirmed = d.type() + ': ' + d.message(); await d.accept(); });
  await rowOf(ciPrefix).getByRole('button', { name: 'Revoke' }).click();
  await rowOf(ciPrefix).locator('td').nth(4).filter({ hasText: 'revoked' }).waitFor();
  check(confirmed.startsWith('confirm: ') && confirmed.includes(ciPrefix), `the confirm dialog: ${JSON.stringify(confirmed)}`);
  equal(await rowOf(ciPrefix).getByRole('button', { name: 'Revoke' }).count(), 0, 'no Revoke button on a revoked key');
  equal((await rowOf(adminPrefix).locator('td').nth(4).textContent()).trim(), 'active', 'the admin key is still active');
  log('revoked ci');

  // The tester, cancelling: the fake provider (held by the test after two of its three steps)
  // shows its progress, and Cancel stops it.
  await page.getByLabel('Image').setInputFiles(IMAGE);
  await page.getByLabel('Provider').selectOption('fake');
  equal(await page.getByLabel('Polycount').inputValue(), '1000', "the fake provider's default polycount");
  await page.getByLabel('Polycount').fill('600');
  await page.getByRole('button', { name: 'Submit job' }).click();
  await page.locator('#job-message').filter({ hasText: 'step 2' }).waitFor({ timeout: 30000 });
  const heldID = (await page.locator('#job-id').textContent()).trim();
  equal(await page.locator('#job-status').textContent(), 'running', 'the held job status');
  const held = await page.locator('#job-progress').evaluate((p) => p.value);
  check(held > 0.6 && held < 0.7, `the held job's progress bar: ${held}`);
  equal(await page.locator('#job-percent').textContent(), '67%', "the held job's percentage");
  check(await page.getByRole('button', { name: 'Submit job' }).isDisabled(), 'Submit is disabled while a job runs');
  await page.getByRole('button', { name: 'Cancel job' }).click();
  await page.locator('#job-status').filter({ hasText: /^cancelled$/ }).waitFor();
  check(await page.getByRole('button', { name: 'Cancel job' }).isHidden(), 'Cancel is hidden once the job ended');
  log('cancelled job', heldID);

  // The tester: local, 600 triangles, to a model whose bytes start "glTF".
  await page.getByLabel('Provider').selectOption('local');
  await page.getByLabel('Polycount').fill('600');
  await page.getByRole('button', { name: 'Submit job' }).click();
  await page.locator('#job-id').filter({ hasText: /\S/ }).waitFor();
  await page.locator('#job-id').filter({ hasNotText: heldID }).waitFor();
  const jobID = (await page.locator('#job-id').textContent()).trim();
  log('submitted job', jobID);
  await page.locator('#job-status').filter({ hasText: /^(done|failed|cancelled)$/ }).waitFor({ timeout: 60000 });
  const status = await page.locator('#job-status').textContent();
  if (status !== 'done') throw new Error(`job ${jobID} ended ${status}: ${await page.locator('#job').textContent()}`);
  equal(await page.locator('#job-progress').evaluate((p) => p.value), 1, 'the progress bar at the end');
  const link = page.getByRole('link', { name: /^Download / });
  await link.waitFor();
  const fileName = await link.getAttribute('download');
  check(/\.glb$/.test(fileName), `the download's name: ${fileName}`);
  check((await link.getAttribute('href')).startsWith('blob:'), 'the download is a blob: URL');
  const info = await page.locator('#download-info').textContent();
  check(/600 triangles/.test(info) && /(bytes|KiB|MiB)/.test(info), `size and triangles shown: ${JSON.stringify(info)}`);
  check(/^\d+ of \d+$/.test(await page.locator('#rate-remaining').textContent()), 'the rate limit is shown');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  equal(download.suggestedFilename(), fileName, 'the downloaded file name');
  const bytes = fs.readFileSync(await download.path());
  equal(bytes.subarray(0, 4).toString('latin1'), 'glTF', 'the model file magic');
  log(`downloaded ${fileName}: ${bytes.length} bytes (${info})`);

  equal(pageErrors, [], 'errors in the page');
  if (process.env.KILN_SHOT) {
    await page.screenshot({ path: process.env.KILN_SHOT, fullPage: true });
    log('screenshot:', process.env.KILN_SHOT);
  }
  console.log('RESULT ' + JSON.stringify({ ci_id: ciID, ci_prefix: ciPrefix, admin_prefix: adminPrefix, job_id: jobID, cancelled_id: heldID,
    file: fileName, file_bytes: bytes.length }));
} catch (err) {
  failed = true;
  console.error('FAIL:', err && err.stack ? err.stack : String(err));
  if (process.env.FAIL_SHOT) {
    try {
      await page.screenshot({ path: process.env.FAIL_SHOT, fullPage: true });
      console.error('failure screenshot:', process.env.FAIL_SHOT);
    } catch (e) {
      console.error('no screenshot:', String(e));
    }
  }
} finally {
  await browser.close().catch(() => {});
}
process.exit(failed ? 1 : 0);
