// Swagger UI as a person uses it, in a real browser (playwright-core driving Debian's chromium, no browser download):
// open /swagger, "Try it out" on POST /user with a file, see 201, then "Try it out" on GET /users on the same page and
// find the user just registered. Leaves a screenshot (the CI artifact) whether it passes or not.
//   node swagger-browser.mjs http://127.0.0.1:8080 path/to/avatar.png artifacts/docs/swagger.png
import { chromium } from 'playwright-core';

const [api, avatar, screenshot] = process.argv.slice(2);
if (!api || !avatar || !screenshot) {
  console.error('usage: node swagger-browser.mjs API_URL AVATAR_FILE SCREENSHOT_PNG');
  process.exit(2);
}
const email = `browser-${process.pid}-${Date.now()}@example.test`;
const timeout = 30_000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
let failure;
const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
page.setDefaultTimeout(timeout);
try {
  await page.goto(`${api}/swagger/index.html`);
  // Swagger UI shows "Loading" until it has fetched and rendered the document: wait for the operations themselves.
  const create = page.locator('#operations-Users-CreateUser');
  await create.waitFor();
  await create.locator('.opblock-summary').click();
  await create.getByRole('button', { name: 'Try it out' }).click();
  await create.locator('tr[data-property-name="name"] input').fill('Browser User');
  await create.locator('tr[data-property-name="email"] input').fill(email);
  await create.locator('tr[data-property-name="avatar"] input[type="file"]').setInputFiles(avatar);
  await create.getByRole('button', { name: 'Execute' }).click();
  const createdStatus = create.locator('.live-responses-table .response .response-col_status');
  await createdStatus.first().waitFor();
  const status = (await createdStatus.first().innerText()).trim().split(/\s+/)[0];
  if (!status.startsWith('201')) {
    throw new Error(`POST /user through Swagger UI answered ${status}: ${await create.locator('.live-responses-table .response-col_description').first().innerText()}`);
  }
  console.log(`ok: Swagger UI: POST /user with a file answered ${status}`);

  const list = page.locator('#operations-Users-ListUsers');
  await list.locator('.opblock-summary').click();
  await list.getByRole('button', { name: 'Try it out' }).click();
  await list.getByRole('button', { name: 'Execute' }).click();
  const listed = list.locator('.live-responses-table .response .response-col_description');
  await listed.first().waitFor();
  const listStatus = (await list.locator('.live-responses-table .response .response-col_status').first().innerText()).trim().split(/\s+/)[0];
  const body = await listed.first().innerText();
  if (!listStatus.startsWith('200') || !body.includes(email)) {
    throw new Error(`GET /users through Swagger UI answered ${listStatus} without ${email}`);
  }
  console.log(`ok: Swagger UI: GET /users answered ${listStatus} and lists ${email}`);
} catch (error) {
  failure = error;
} finally {
  await page.screenshot({ path: screenshot, fullPage: true }).catch(() => {});
  await browser.close();
}
if (failure) {
  console.error(`FAIL: ${failure.message} (screenshot: ${screenshot})`);
  process.exit(1);
}
