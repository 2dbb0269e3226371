// whatsapp-web.js drives a browser through puppeteer. Switchboard uses the system's Chromium (Debian's `chromium`
// package, or CHROMIUM_PATH), so installing must never download a second browser.
module.exports = { skipDownload: true };
