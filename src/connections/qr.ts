import QRCode from 'qrcode';

/**
 * Prints a WhatsApp Web login QR where the operator who ran `npm start` looks. Written to stderr directly rather
 * than through the JSON logger: a QR inside a log line cannot be scanned.
 */
export function printQrToTerminal(channelId: string, qr: string): void {
  QRCode.toString(qr, { type: 'terminal', small: true })
    .then((art) => {
      process.stderr.write(
        `\nWhatsApp Web channel "${channelId}": scan this with the phone (WhatsApp → Settings → Linked devices → Link a device).\n` +
          `It refreshes about every 20 seconds; the admin page /admin/channels/${channelId}/whatsapp-web shows the current one.\n${art}\n`,
      );
    })
    .catch(() => {});
}

/** The QR as an SVG document, for the admin page. */
export function qrSvg(qr: string): Promise<string> {
  return QRCode.toString(qr, { type: 'svg', margin: 2, width: 320 });
}
