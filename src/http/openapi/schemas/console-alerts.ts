import { int, list, obj, oneOf, orNull, dateTime, str, strings, type Schema } from './build';

/** Alerts (src/http/console/api-types.ts AlertsResponse, AlertView, AlertNoticeView). */
const text = orNull(str);
const AlertView: Schema = obj({
  id: str,
  rule: str,
  kind: str,
  severity: oneOf('warning', 'critical'),
  subject: str,
  state: oneOf('pending', 'firing', 'resolved'),
  summary: str,
  since: dateTime,
  firingSince: orNull(dateTime),
  resolvedAt: orNull(dateTime),
  lastNotifiedAt: orNull(dateTime),
  path: str,
});
const AlertNoticeView: Schema = obj({
  id: str,
  target: str,
  type: str,
  status: oneOf('queued', 'sent', 'dead'),
  attempts: int,
  lastError: text,
  createdAt: dateTime,
  sentAt: orNull(dateTime),
  summary: str,
});

export const alertResponses = {
  alerts: obj({
    yaml: str,
    revision: int,
    origin: oneOf('file', 'console'),
    updatedAt: orNull(dateTime),
    updatedBy: text,
    rules: list(obj({ name: str, kind: str, severity: str, enabled: { type: 'boolean' }, pendingMinutes: { type: 'number' }, resendMinutes: { type: 'number' }, resolveAfterMinutes: { type: 'number' }, notify: strings })),
    targets: list(obj({ name: str, type: oneOf('desk', 'email', 'webhook'), detail: str })),
    alerts: list(AlertView),
    notices: list(AlertNoticeView),
  }),
  saved: obj({ revision: int }),
  tested: obj({ sent: { type: 'boolean', const: true }, id: str }),
};
