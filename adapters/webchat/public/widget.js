/*! Switchboard web chat widget (Apache-2.0). Vanilla ES2019, no dependencies, no build step. */
(() => {
  'use strict';
  if (window.Switchboard || document.getElementById('switchboard-widget')) return;
  const script = document.currentScript || document.querySelector('script[data-channel][src*="widget"]');
  const cfg = script ? script.dataset : {};
  if (!cfg.channel) return console.warn('[switchboard] data-channel is required');
  let root;
  try {
    // The server serves widget.js from its public folder, so the API lives next to the script.
    const u = new URL(cfg.server || script.src, location.href);
    root = (cfg.server ? u.origin + u.pathname : new URL('./', u).href).replace(/\/+$/, '');
  } catch (e) { return console.warn('[switchboard] cannot resolve the server URL'); }
  const path = root + '/webchat/' + encodeURIComponent(cfg.channel);
  const key = 'switchboard:' + cfg.channel;
  const color = cfg.color && window.CSS && CSS.supports('color', cfg.color) ? cfg.color : '#2563eb';

  const STYLE = `:host{all:initial}*{box-sizing:border-box}[hidden]{display:none!important}
.w{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937}
button{font:inherit;cursor:pointer}button:focus-visible{outline:2px solid #111827;outline-offset:2px}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;border-radius:50%;border:0;background:var(--c);color:#fff;box-shadow:0 6px 20px #0004;display:grid;place-items:center}
svg{width:26px;height:26px;fill:currentColor}[aria-expanded=true] .i-chat,[aria-expanded=false] .i-down{display:none}
.badge{position:absolute;top:-2px;right:-2px;min-width:20px;padding:0 6px;border-radius:10px;background:#dc2626;font-size:12px;font-weight:600;line-height:20px}
.panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:360px;height:520px;max-height:calc(100vh - 108px);display:flex;flex-direction:column;background:#fff;border-radius:14px;overflow:hidden;box-shadow:0 12px 40px #0004}
header{display:flex;align-items:center;padding:12px 14px;background:var(--c);color:#fff}header div{flex:1;min-width:0}
h2{margin:0;font-size:16px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.status{margin:0;font-size:12px;opacity:.9}.status:before{content:"";display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:6px;background:#fbbf24}
[data-connection=open] .status:before{background:#34d399}[data-connection=closed] .status:before{background:#f87171}
.x{border:0;background:none;color:#fff;font-size:24px;width:32px;height:32px;border-radius:6px}
.body{flex:1;overflow-y:auto;padding:14px;background:#f6f7f9}.empty{margin:24px 8px;text-align:center;color:#6b7280}
.log{display:flex;flex-direction:column;gap:10px}.msg{max-width:85%;align-self:flex-start;display:flex;flex-direction:column;gap:4px}
.msg[data-author=contact]{align-self:flex-end;align-items:flex-end}
.msg[data-author=system]{align-self:center;color:#6b7280;font-size:12px;text-align:center}
.name,.src,.msg:after{font-size:12px;color:#6b7280;padding:0 4px}
.text{padding:9px 12px;border-radius:14px 14px 14px 4px;background:#fff;border:1px solid #e5e7eb;white-space:pre-wrap;overflow-wrap:anywhere}
[data-author=contact] .text{background:var(--c);color:#fff;border:0;border-radius:14px 14px 4px 14px}
[data-author=system] .text{background:none;border:0}a{color:var(--c)}[data-author=contact] a{color:inherit}
.msg[data-status=pending]:after{content:"Sending…";font-size:11px}[data-status=pending] .text{opacity:.65}
.src ul{margin:2px 0 0;padding-left:16px}.choices{display:flex;flex-wrap:wrap;gap:6px}
.choices button{font-size:13px;padding:6px 12px;border-radius:16px;border:1px solid var(--c);background:#fff;color:var(--c)}
.choices button:hover:enabled,.choices [aria-pressed=true]{background:var(--c);color:#fff}.choices button:disabled:not([aria-pressed]){opacity:.5;cursor:default}
.typing .text{display:flex;gap:4px;padding:12px}.typing i{width:7px;height:7px;border-radius:50%;background:#9ca3af;animation:b 1.2s infinite}
.typing i:nth-child(3){animation-delay:.2s}.typing i:nth-child(4){animation-delay:.4s}@keyframes b{30%{transform:translateY(-4px)}}
.notice{padding:6px 14px;font-size:12px;background:#fef3c7;color:#92400e}
form{display:flex;align-items:flex-end;gap:8px;padding:10px;border-top:1px solid #e5e7eb}
textarea{flex:1;font:inherit;color:inherit;resize:none;border:1px solid #d1d5db;border-radius:10px;padding:8px 10px;max-height:120px;outline:0}textarea:focus{border-color:var(--c)}
.send{width:38px;height:38px;flex:none;border:0;border-radius:50%;background:var(--c);color:#fff;display:grid;place-items:center}.send svg{width:18px}
.foot{text-align:center;font-size:11px;color:#9ca3af;padding:0 0 6px}.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
@media (max-width:480px){.panel{inset:0;width:auto;height:auto;max-height:none;border-radius:0}.open .launcher{display:none}}
@media (prefers-reduced-motion:reduce){.typing i{animation:none}}`;

  const HTML = `<section class="panel" id="sb-panel" data-sb="panel" role="dialog" aria-labelledby="sb-title" hidden>
<header><div><h2 id="sb-title"></h2><p class="status"></p></div><button class="x" type="button" aria-label="Close chat">\u00d7</button></header>
<div class="body"><p class="empty">Hi! Ask us anything \u2014 we usually answer right away.</p><div class="log" role="log" aria-live="polite" aria-label="Conversation"></div></div>
<div class="notice" role="alert" hidden></div>
<form><label class="sr" for="sb-input">Type your message</label><textarea id="sb-input" data-sb="input" rows="1" maxlength="4000" placeholder="Type your message\u2026"></textarea>
<button class="send" type="submit" data-sb="send" aria-label="Send message"><svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 21 21 12 3 3v7l12 2-12 2z"/></svg></button></form>
<div class="foot">Powered by Switchboard</div></section>
<button class="launcher" type="button" data-sb="launcher" aria-label="Open chat" aria-expanded="false" aria-controls="sb-panel">
<svg class="i-chat" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>
<svg class="i-down" viewBox="0 0 24 24" aria-hidden="true"><path d="M6.4 8.6 12 14.2l5.6-5.6L19 10l-7 7-7-7z"/></svg><span class="badge" hidden></span></button>`;

  // -- DOM: everything lives in an open shadow root
  const host = document.createElement('div');
  host.id = 'switchboard-widget';
  host.style.cssText = 'all:initial!important;display:block!important'; // shield the host element from page CSS
  const shadow = host.attachShadow({ mode: 'open' });
  try { // constructable stylesheets are not subject to the host page's style-src CSP
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    shadow.adoptedStyleSheets = [sheet];
  } catch (e) { shadow.appendChild(el('style', null, STYLE)); }
  const w = el('div', 'w');
  w.innerHTML = HTML; // static markup only: message data is never parsed as HTML
  w.style.setProperty('--c', color);
  shadow.appendChild(w);
  const $ = (s) => w.querySelector(s);
  const launcher = $('.launcher'), badge = $('.badge'), panel = $('.panel'), status = $('.status'), body = $('.body'),
    empty = $('.empty'), log = $('.log'), notice = $('.notice'), form = $('form'), input = $('textarea');
  $('h2').textContent = cfg.title || 'Support';

  function el(tag, cls, text, attrs) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }
  const safeUrl = (u) => {
    try { const x = new URL(u, location.href); return /^https?:$/.test(x.protocol) ? x.href : null; } catch (e) { return null; }
  };
  const link = (href, text) => el('a', null, text, { href, target: '_blank', rel: 'noopener noreferrer' });
  const uuid = () => crypto.randomUUID ? crypto.randomUUID() // randomUUID needs a secure context
    : '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) => (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16));
  const load = () => { try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; } };
  const save = (v) => { try { localStorage.setItem(key, JSON.stringify(v)); } catch (e) { /* storage blocked */ } };
  const forget = () => { try { localStorage.removeItem(key); } catch (e) { /* storage blocked */ } };

  // -- state
  let token = null, ws = null, starting = false, needSession = true, attempt = 0, retryTimer = null;
  let isOpen = false, unread = 0, typingEl = null, typingTimer = null, noticeTimer = null;
  let queue = [];                                 // unacked outgoing frames, resent (same id) after reconnect
  const byId = new Map(), pending = new Map();    // server id -> bubble; client id -> pending bubble
  const receipted = new Set(), readSent = new Set();
  const STATUS = { connecting: 'Connecting\u2026', open: 'Online', closed: 'Offline \u2014 reconnecting\u2026' };
  const setConn = (s) => { panel.setAttribute('data-connection', s); status.textContent = STATUS[s]; };
  setConn('closed');

  // -- session + socket
  async function createSession() {
    const saved = load();
    const post = (b) => fetch(path + '/sessions', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b), credentials: 'omit',
    });
    let res = await post(saved && saved.token ? { token: saved.token } : {});
    if (res.status === 401 && saved) { forget(); res = await post({}); }
    if (!res.ok) throw new Error('session: HTTP ' + res.status);
    const data = await res.json();
    if (!data || !data.token) throw new Error('session: no token');
    token = data.token;
    save({ visitorId: data.visitorId, token });
  }

  async function start() {
    clearTimeout(retryTimer); retryTimer = null;
    if (starting || (ws && ws.readyState <= 1)) return;
    starting = true;
    setConn('connecting');
    try {
      if (needSession || !token) await createSession();
      needSession = false;
    } catch (e) { starting = false; setConn('closed'); return retry(); }
    starting = false;
    let opened = false;
    const sock = ws = new WebSocket(path.replace(/^http/, 'ws') + '/ws?token=' + encodeURIComponent(token));
    sock.onopen = () => { opened = true; setConn('open'); queue.forEach(transmit); };
    sock.onmessage = (ev) => {
      let f; try { f = JSON.parse(ev.data); } catch (e) { return; }
      if (f && ws === sock) onFrame(f);
    };
    sock.onclose = (ev) => {
      if (ws !== sock) return;
      ws = null; hideTyping(); setConn('closed');
      if (ev.code === 4401) { forget(); token = null; needSession = true; attempt = 0; }
      else if (!opened) needSession = true; // handshake refused: re-validate the token before retrying
      retry();
    };
  }
  function retry() { // 0.5 s doubling to 10 s, +-25% jitter
    if (retryTimer) return;
    const d = Math.min(10000, 500 * 2 ** attempt++);
    retryTimer = setTimeout(start, d * (0.75 + Math.random() / 2));
  }
  function transmit(frame) {
    if (!ws || ws.readyState !== 1) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  // -- inbound frames
  function onFrame(f) {
    if (f.type === 'history') { attempt = 0; onHistory(Array.isArray(f.messages) ? f.messages : []); }
    else if (f.type === 'message' && f.message) onMessage(f.message);
    else if (f.type === 'ack') confirm(f.id, f.messageId);
    else if (f.type === 'typing') showTyping();
    else if (f.type === 'error') {
      showNotice(f.message || 'Something went wrong (' + f.code + ').');
      // Refused for now, not lost: the frame stays queued (still "Sending…") and goes again once the wait is over.
      if (f.code === 'rate_limited' && f.id) setTimeout(() => { const q = queue.find((x) => x.id === f.id); if (q) transmit(q); }, Math.max(1, Number(f.retryAfter) || 1) * 1000);
    }
  }

  function onHistory(msgs) {
    hideTyping();
    const ids = new Set(msgs.map((m) => m && m.id));
    if ([...byId.keys()].some((id) => !ids.has(id))) { // another conversation: start over, keep unsent bubbles
      byId.forEach((e) => e.remove());
      byId.clear();
    }
    let last = null;
    for (const m of msgs) {
      if (!m || !m.id) continue;
      const e = byId.get(m.id) || match(m) || render(m);
      log.insertBefore(e, last ? last.nextSibling : log.firstChild);
      last = e;
      receipt(m);
    }
    update(true);
  }

  function onMessage(m) {
    if (!m.id || byId.has(m.id)) return;
    if (m.author !== 'contact') hideTyping();
    let e = match(m);
    if (!e) {
      log.appendChild(e = render(m));
      if (!isOpen && /^(bot|agent)$/.test(m.author)) { unread++; showBadge(); }
    }
    receipt(m);
    update(m.author === 'contact');
  }

  // An echo of our own message, from history or live: the pending bubble becomes the sent one.
  function match(m) {
    const e = m.clientId && pending.get(m.clientId);
    if (e) confirm(m.clientId, m.id);
    return e || null;
  }
  function confirm(clientId, messageId) {
    queue = queue.filter((f) => f.id !== clientId);
    const e = pending.get(clientId);
    if (!e) return;
    pending.delete(clientId);
    e.setAttribute('data-status', 'sent');
    if (!messageId) return;
    if (byId.has(messageId)) return e.remove(); // already shown (e.g. sent from another tab)
    e.setAttribute('data-id', messageId);
    byId.set(messageId, e);
  }

  function receipt(m) {
    if (/^(bot|agent)$/.test(m.author) && !receipted.has(m.id) && transmit({ type: 'received', messageId: m.id })) receipted.add(m.id);
  }
  function markRead() {
    if (!isOpen || document.visibilityState !== 'visible') return;
    byId.forEach((e, id) => {
      if (/^(bot|agent)$/.test(e.dataset.author) && !readSent.has(id) && transmit({ type: 'read', messageId: id })) readSent.add(id);
    });
  }

  // -- rendering (textContent only)
  function appendText(parent, text) {
    const re = /\bhttps?:\/\/[^\s<>"']+/g;
    let i = 0, m;
    while ((m = re.exec(text))) {
      const u = m[0].replace(/[.,;:!?)\]]+$/, ''), href = safeUrl(u);
      if (!href) continue;
      parent.append(text.slice(i, m.index), link(href, u));
      re.lastIndex = i = m.index + u.length;
    }
    parent.append(text.slice(i));
  }

  function render(m) {
    const author = /^(contact|bot|agent|system)$/.test(m.author) ? m.author : 'system';
    const e = el('div', 'msg', null, { 'data-sb': 'message', 'data-author': author });
    if (m.id) { e.setAttribute('data-id', m.id); byId.set(m.id, e); }
    if (author === 'contact') e.setAttribute('data-status', m.id ? 'sent' : 'pending');
    if (author === 'agent') e.append(el('div', 'name', m.authorName || 'Agent'));
    const t = el('div', 'text');
    appendText(t, String(m.text == null ? '' : m.text));
    const d = new Date(m.createdAt || Date.now());
    if (!isNaN(d)) t.title = d.toLocaleString();
    e.append(t);
    const cites = (Array.isArray(m.citations) ? m.citations : []).filter((c) => c && c.title);
    if (cites.length) {
      const ul = el('ul');
      for (const c of cites) {
        const href = c.url && safeUrl(c.url), title = String(c.title);
        const item = href ? link(href, title) : el('span', null, title);
        item.setAttribute('data-sb', 'citation');
        const li = el('li');
        li.append(item);
        ul.append(li);
      }
      const src = el('div', 'src', 'Sources:');
      src.append(ul);
      e.append(src);
    }
    const choices = (Array.isArray(m.choices) ? m.choices : []).filter((c) => c && c.id != null);
    if (choices.length) {
      const box = el('div', 'choices', null, { role: 'group', 'aria-label': 'Suggested replies' });
      for (const c of choices) {
        const b = el('button', null, String(c.title == null ? c.id : c.title), { type: 'button', 'data-sb': 'choice' });
        b.onclick = () => {
          box.querySelectorAll('button').forEach((x) => { x.disabled = true; });
          b.setAttribute('aria-pressed', 'true');
          sendFrame({ type: 'action', value: String(c.id), title: b.textContent }, b.textContent);
        };
        box.append(b);
      }
      e.append(box);
    }
    return e;
  }

  function update(scroll) {
    empty.hidden = byId.size + pending.size > 0;
    // Choices are only valid until the visitor answers: disable those older than the latest visitor message.
    let answered = false;
    [...log.querySelectorAll('[data-sb=message]')].reverse().forEach((e) => {
      if (e.dataset.author === 'contact') answered = true;
      else if (answered) e.querySelectorAll('[data-sb=choice]').forEach((b) => { b.disabled = true; });
    });
    if (typingEl) log.append(typingEl);
    if (scroll || body.scrollHeight - body.scrollTop - body.clientHeight < 120) body.scrollTop = body.scrollHeight;
    markRead();
  }

  function showTyping() {
    if (!typingEl) {
      typingEl = el('div', 'msg typing', null, { 'data-sb': 'typing' });
      const t = el('div', 'text');
      t.append(el('span', 'sr', 'Typing\u2026'), el('i'), el('i'), el('i'));
      typingEl.append(t);
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, 5000);
    update(false);
  }
  function hideTyping() {
    clearTimeout(typingTimer);
    if (typingEl) typingEl.remove();
    typingEl = null;
  }
  function showNotice(text) {
    notice.textContent = String(text);
    notice.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { notice.hidden = true; }, 6000);
  }
  function showBadge() {
    badge.textContent = unread > 9 ? '9+' : String(unread);
    badge.hidden = !unread;
    launcher.setAttribute('aria-label', isOpen ? 'Close chat' : unread ? `Open chat (${unread} new)` : 'Open chat');
  }

  // -- outbound
  function sendFrame(frame, text) {
    frame.id = uuid();
    queue.push(frame);
    const e = render({ author: 'contact', text });
    pending.set(frame.id, e);
    log.append(e);
    update(true);
    if (!transmit(frame)) start();
    return frame.id;
  }
  function send(text) {
    text = String(text == null ? '' : text).trim();
    return text ? sendFrame({ type: 'message', text }, text) : null;
  }

  // -- UI
  function open() {
    if (isOpen) return;
    isOpen = true;
    panel.hidden = false;
    w.classList.add('open');
    launcher.setAttribute('aria-expanded', 'true');
    unread = 0;
    showBadge();
    body.scrollTop = body.scrollHeight;
    start();
    markRead();
  }
  function close() {
    if (!isOpen) return;
    isOpen = false;
    panel.hidden = true;
    w.classList.remove('open');
    launcher.setAttribute('aria-expanded', 'false');
    showBadge();
  }
  const grow = () => { input.style.height = 'auto'; input.style.height = Math.min(input.scrollHeight + 2, 120) + 'px'; };

  launcher.onclick = () => { if (isOpen) close(); else { open(); input.focus(); } };
  $('.x').onclick = () => { close(); launcher.focus(); };
  panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') { close(); launcher.focus(); } });
  form.onsubmit = (e) => {
    e.preventDefault();
    if (send(input.value)) { input.value = ''; grow(); }
    input.focus();
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.onsubmit(e); }
  });
  input.addEventListener('input', grow);
  document.addEventListener('visibilitychange', markRead);
  window.addEventListener('online', () => { if (retryTimer) { attempt = 0; start(); } });

  window.Switchboard = { open, close, send };

  function mount() {
    document.body.append(host);
    if (cfg.open === 'true') open();
    else if (load()) start(); // returning visitor: load the conversation now so new replies show as unread
  }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);
})();
