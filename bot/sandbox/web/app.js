// The sandbox web chat: act as any enrolled person, see their private chat and the group's topics.
"use strict";
const state = { me: null, chat: null, thread: null, replyTo: null, group: null, closed: false, focus: null, botName: null, pending: new Set() };
const $ = (id) => document.getElementById(id);
const TEXT_LIMIT = 4096; // Telegram's, in UTF-16 code units: what a JavaScript string's length counts
const CAPTION_LIMIT = 1024;

// The page speaks Vietnamese: the sandbox's refusals come with a stable `reason`, said here in words.
const REASONS = {
  chat_not_found: () => "Không tìm thấy cuộc trò chuyện này (có thể hộp cát vừa khởi động lại). Hãy chọn lại ở danh sách bên trái.",
  text_too_long: (d) => `Tin nhắn dài ${d.length} ký tự, vượt giới hạn ${d.limit} ký tự của Telegram. Hãy chia thành nhiều tin nhắn.`,
  caption_too_long: (d) => `Chú thích của tệp dài ${d.length} ký tự, vượt giới hạn ${d.limit} ký tự của Telegram.`,
  empty_message: () => "Hãy nhập tin nhắn hoặc chọn tệp.",
  unknown_user: () => "Không có người dùng này trong hộp cát.",
  not_member: () => "Người này không ở trong nhóm đó.",
  topic_not_found: () => "Không tìm thấy chủ đề này.",
  topic_closed: () => "Chủ đề đã đóng: không gửi thêm tin nhắn được.",
  reply_not_found: () => "Tin nhắn được trả lời không còn nữa.",
  not_your_message: () => "Chỉ sửa được tin nhắn của chính mình.",
  stale_button: () => "Nút này không còn trên tin nhắn.",
  unknown_callback: () => "Không tìm thấy lượt bấm nút này.",
  bad_file: () => "Không đọc được tệp đã chọn.",
  not_a_picture: () => "Tệp này không phải ảnh; bỏ chọn «gửi dạng ảnh» để gửi dạng tệp.",
  link_not_found: () => "Đường dẫn vào nhóm không còn hiệu lực.",
  link_full: () => "Đường dẫn vào nhóm đã dùng hết lượt.",
  json_only: () => "Hộp cát chỉ nhận yêu cầu từ chính trang này.",
  cross_origin: () => "Hộp cát chỉ nhận yêu cầu từ chính trang này.",
};

class SandboxError extends Error {
  constructor(message, reason) { super(message); this.reason = reason; }
}

// What the page says of a failure: the sandbox's refusal in words, or its own trouble.
function problem(error) {
  return error instanceof SandboxError ? error.message : "Trang gặp lỗi; hãy tải lại trang (F5).";
}

function explain(status, data) {
  const said = data && REASONS[data.reason];
  if (said) return said(data);
  return `Hộp cát không thực hiện được yêu cầu (lỗi ${status}${data && data.reason ? ", " + data.reason : ""}).`;
}

async function api(path, body) {
  const options = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  let response;
  try { response = await fetch(path, options); }
  catch (error) { throw new SandboxError("Mất kết nối với hộp cát. Hộp cát còn chạy không?"); }
  let data = null;
  try { data = await response.json(); } catch (error) { data = null; }
  if (!response.ok) throw new SandboxError(explain(response.status, data), data && data.reason);
  return data;
}

async function loadPeople() {
  const users = await api("/sandbox/users");
  // Who each person is, not only a name: their roles and agency as the roster gives them.
  $("who").innerHTML = users.map((u) => {
    const who = [u.role, u.agency].filter(Boolean).join(" · ");
    const label = `${u.first_name}${u.last_name ? " " + u.last_name : ""}` + (who ? ` — ${who}` : ` (${u.id})`);
    return `<option value="${u.id}" title="${escapeHtml(label)}">${escapeHtml(label)}</option>`;
  }).join("");
  state.me = users.length ? users[0].id : null;
  await loadChats();
}

async function loadChats() {
  if (state.me === null) return;
  const chats = await api("/sandbox/chats");
  const group = chats.find((c) => c.type === "supergroup" && c.is_forum);
  state.group = group ? group.id : null;
  const entries = [{ label: "🤖 Trò chuyện riêng với bot", chat: state.me, thread: null }];
  if (group) {
    entries.push({ label: `👥 ${group.title} — chung`, chat: group.id, thread: null });
    for (const topic of await api(`/sandbox/chats/${group.id}/topics`)) {
      entries.push({ label: `# ${topic.name}`, chat: group.id, thread: topic.message_thread_id, closed: topic.closed });
    }
  }
  if (state.chat === null) { state.chat = entries[0].chat; state.thread = null; }
  state.closed = false;
  $("chats").innerHTML = "";
  for (const entry of entries) {
    const li = document.createElement("li");
    li.textContent = entry.label + (entry.closed ? " (đã đóng)" : "");
    if (entry.closed) li.classList.add("closed");
    if (entry.chat === state.chat && entry.thread === state.thread) {
      li.classList.add("active");
      $("title").textContent = entry.label + (entry.closed ? " (đã đóng)" : "");
      state.closed = Boolean(entry.closed);
    }
    li.onclick = () => { choose(entry.chat, entry.thread); };
    $("chats").appendChild(li);
  }
  showComposer();
}

// Open a chat (or one of the group's topics): from the list, or from a t.me link in a message.
function choose(chat, thread) {
  state.chat = chat; state.thread = thread; state.replyTo = null; $("replying").hidden = true; state.focus = null;
  openDrawer(false);
  return refresh();
}

// A closed topic (closeForumTopic) takes no messages from members: the composer is shown closed,
// as a Telegram client shows it, rather than live until a send is refused.
function showComposer() {
  const closed = state.closed;
  $("closed-banner").hidden = !closed;
  $("composer").classList.toggle("closed", closed);
  for (const id of ["text", "file", "send", "as-photo"]) $(id).disabled = closed;
  $("text").placeholder = closed ? "Chủ đề đã đóng" : "Tin nhắn hoặc lệnh, ví dụ /urgent 2h aec: Tiêu đề";
  if (closed && state.replyTo !== null) { state.replyTo = null; $("replying").hidden = true; }
}

// On a phone the chat list is a drawer over the messages; ☰ opens and closes it.
function openDrawer(open) {
  const drawer = $("drawer");
  if (open) drawer.style.top = `${document.querySelector("header").getBoundingClientRect().bottom}px`;
  drawer.classList.toggle("open", open);
  $("drawer-toggle").setAttribute("aria-expanded", String(open));
}

async function loadMessages() {
  if (state.chat === null) return;
  // The viewer is named so that their ephemeral messages (seen by them alone) come with the rest.
  const query = `?viewer=${state.me}` + (state.thread ? `&thread_id=${state.thread}` : "");
  const [chat, thread] = [state.chat, state.thread];
  let messages = await api(`/sandbox/chats/${chat}/messages` + query);
  // A poll that left before a click must not draw one chat's messages under another's title.
  if (chat !== state.chat || thread !== state.thread) return;
  if (state.chat === state.group && !state.thread) messages = messages.filter((m) => !m.message_thread_id);
  const box = $("messages");
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 30;
  box.innerHTML = "";
  for (const m of messages) box.appendChild(renderMessage(m));
  const fromBot = messages.find((m) => m.from && m.from.is_bot && m.from.username);
  if (fromBot) state.botName = fromBot.from.username;  // what t.me/<bot> links name
  if (state.focus && state.focus.chat === chat && state.focus.thread === thread) { showFocused(box); return; }
  if (atBottom) box.scrollTop = box.scrollHeight;
}

// The message a t.me link pointed at: scrolled into view once, and marked for a few seconds while
// the page redraws the chat every second.
function showFocused(box) {
  const focus = state.focus;
  const shown = box.querySelector(`.msg[data-message-id="${focus.message}"]`);
  if (!shown) {
    if (!focus.scrolled) showError("Tin nhắn đường dẫn trỏ tới không còn trong cuộc trò chuyện này.");
    state.focus = null;
    return;
  }
  shown.classList.add("focused");
  if (!focus.scrolled) { shown.scrollIntoView({ block: "center" }); focus.scrolled = true; focus.until = Date.now() + 3000; }
  else if (Date.now() > focus.until) state.focus = null;
}

function renderMessage(m) {
  const div = document.createElement("div");
  const ephemeral = m.ephemeral_message_id !== undefined;
  div.className = "msg" + (m.from && m.from.id === state.me ? " mine" : "") + (ephemeral ? " ephemeral" : "");
  div.dataset.messageId = ephemeral ? `e${m.ephemeral_message_id}` : m.message_id;
  const who = m.from ? (m.from.is_bot ? "🤖 bot" : m.from.first_name) : "";
  const edited = m.edit_date ? " · đã sửa" : "";
  const marks = (ephemeral ? " · 👁 chỉ anh/chị thấy" : "") + (m.has_protected_content ? " · 🔒 không chuyển tiếp, không lưu được" : "");
  let body = m.text !== undefined ? withEntities(m.text, m.entities) : m.caption !== undefined ? withEntities(m.caption, m.caption_entities)
    : escapeHtml(m.forum_topic_created ? `Chủ đề được tạo: ${m.forum_topic_created.name}` : "");
  if (m.document) {
    const size = m.document.file_size ? ` (${sizeText(m.document.file_size)})` : "";
    body = `<a class="file" href="/sandbox/files/${encodeURIComponent(m.document.file_id)}" download="${escapeHtml(m.document.file_name || "tep")}">📎 ${escapeHtml(m.document.file_name || "tệp")}${size}</a>`
      + (body ? `\n${body}` : "");
  }
  if (m.photo && m.photo.length) {
    const largest = m.photo[m.photo.length - 1];
    body = `<img class="photo" src="/sandbox/files/${encodeURIComponent(largest.file_id)}" alt="ảnh ${largest.width}×${largest.height}" title="ảnh ${largest.width}×${largest.height}">`
      + (body ? `\n${body}` : "");
  }
  const number = ephemeral ? "" : ` · #${m.message_id}`;
  div.innerHTML = `<div class="meta">${escapeHtml(who)}${number}${edited}${marks}</div><div class="text">${body}</div>`;
  const rows = (m.reply_markup && m.reply_markup.inline_keyboard) || [];
  if (rows.length) {
    const buttons = document.createElement("div");
    buttons.className = "buttons";
    // While the bot has not answered a press, the message's buttons wait (a second tap would be a
    // second press), as a Telegram client shows its little clock on the button.
    const waiting = state.pending.has(`${state.chat}:${m.message_id}`);
    for (const row of rows) for (const b of row) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = b.text;
      if (b.style) button.classList.add(`style-${b.style}`);
      if (b.disabled) { button.disabled = true; button.title = "Nút này không còn dùng được"; }
      else if (waiting) { button.disabled = true; button.classList.add("pending"); }
      button.onclick = (event) => { event.stopPropagation(); b.url ? follow(b.url) : press(m.message_id, b.callback_data); };
      buttons.appendChild(button);
    }
    div.appendChild(buttons);
  }
  if (ephemeral) return div; // nothing to reply to: it is no message of the chat
  // «Trả lời tin nhắn #1» read like consultation #1: name whose message is answered instead.
  div.onclick = () => { state.replyTo = m.message_id; $("reply-id").textContent = who || "…"; $("replying").hidden = false; };
  return div;
}

// A text with its entities as a Telegram client shows them: bold, italic, code, pre, links...
// A date_time entity (Bot API 9.5) shows the moment on this browser's clock, in its time zone; the
// bot's own words stay on hover. Entity offsets count UTF-16 units, as JavaScript strings do.
const TAGS = { bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
  blockquote: "blockquote", expandable_blockquote: "blockquote", spoiler: "span" };

function link(url) {
  const safe = /^(https?:|tg:)/i.test(url || "") ? url : "#";
  return `<a href="${escapeHtml(safe)}" target="_blank" rel="noopener noreferrer">`;
}

function opening(e, text) {
  if (e.type === "text_link") return link(e.url);
  if (e.type === "url") return link(/^https?:/i.test(text) ? text : `https://${text}`);
  if (e.type === "spoiler") return `<span class="spoiler">`;
  return TAGS[e.type] ? `<${TAGS[e.type]}>` : "";
}

function closing(e) {
  if (e.type === "text_link" || e.type === "url") return "</a>";
  return TAGS[e.type] ? `</${TAGS[e.type]}>` : "";
}

function moment(e, original) {
  const when = new Date(e.unix_time * 1000);
  const shown = e.date_time_format === "" ? original : when.toLocaleString(undefined,
    { hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit", year: "numeric" });
  return `<time class="moment" datetime="${when.toISOString()}" title="${escapeHtml(original)}">${escapeHtml(shown)}</time>`;
}

function withEntities(text, entities) {
  const all = (entities || []).filter((e) => e.type === "date_time" || e.type === "text_link" || e.type === "url" || TAGS[e.type])
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  let html = "", at = 0;
  const open = [];
  // Text outside any link: its bare addresses become links, as Telegram finds them itself.
  const plain = (part) => open.some((e) => e.type === "text_link" || e.type === "url") ? escapeHtml(part) : linkified(part);
  const closeUntil = (position) => {
    while (open.length && open[open.length - 1].offset + open[open.length - 1].length <= position) {
      const e = open[open.length - 1];
      html += plain(text.slice(at, e.offset + e.length)) + closing(e);
      open.pop();
      at = e.offset + e.length;
    }
  };
  for (const e of all) {
    if (e.offset < at) continue;  // overlapping what is already drawn: shown plain
    closeUntil(e.offset);
    html += plain(text.slice(at, e.offset));
    at = e.offset;
    if (e.type === "date_time") {
      html += moment(e, text.slice(e.offset, e.offset + e.length));
      at = e.offset + e.length;
      continue;
    }
    html += opening(e, text.slice(e.offset, e.offset + e.length));
    open.push(e);
  }
  closeUntil(Infinity);
  return html + plain(text.slice(at));
}

const BARE_LINK = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

function linkified(part) {
  let html = "", at = 0;
  for (const found of part.matchAll(BARE_LINK)) {
    html += escapeHtml(part.slice(at, found.index)) + link(found[0]) + escapeHtml(found[0]) + "</a>";
    at = found.index + found[0].length;
  }
  return html + escapeHtml(part.slice(at));
}

// Where a t.me link leads inside the sandbox: a group's message or topic (t.me/c/<id>/<thread>/<msg>,
// t.me/c/<id>/<msg>, …?thread=<thread>), or the bot's private chat (t.me/<bot>?start=…); null for
// any other address, which opens as usual.
function telegramTarget(href) {
  let url;
  try { url = new URL(href, location.href); } catch (error) { return null; }
  if (!/^(www\.)?(t|telegram)\.me$/i.test(url.hostname)) return null;
  const parts = url.pathname.split("/").filter(Boolean);
  if (parts[0] === "c" && /^\d+$/.test(parts[1] || "")) {
    const numbers = parts.slice(2).filter((p) => /^\d+$/.test(p)).map(Number);
    const thread = url.searchParams.get("thread");
    return { chat: Number(`-100${parts[1]}`), thread: numbers.length > 1 ? numbers[0] : thread ? Number(thread) : null,
      message: numbers.length ? numbers[numbers.length - 1] : null };
  }
  if (parts.length === 1 && state.botName && parts[0].toLowerCase() === state.botName.toLowerCase()) {
    return { bot: true, start: url.searchParams.get("start") };
  }
  return null;
}

// Follow a t.me link in the sandbox, as Telegram opens it in the app: the chat, the topic, the
// message scrolled into view; never away from the page.
async function openTelegramLink(target) {
  if (target.bot) {
    await choose(state.me, null);
    if (target.start !== null) { $("text").value = `/start ${target.start}`; fitComposer(); $("text").focus(); }
    return;
  }
  if (target.chat !== state.group) { showError("Đường dẫn này trỏ tới một nhóm không có trong hộp cát."); return; }
  let thread = target.thread;
  if (thread === null && target.message !== null) {
    // t.me/c/<id>/<msg>: the message may sit in a topic (a topic's own id opens the topic).
    const topics = await api(`/sandbox/chats/${target.chat}/topics`);
    if (topics.some((t) => t.message_thread_id === target.message)) thread = target.message;
    else {
      const all = await api(`/sandbox/chats/${target.chat}/messages?viewer=${state.me}`);
      const found = all.find((m) => m.message_id === target.message);
      thread = found && found.message_thread_id ? found.message_thread_id : null;
    }
  }
  state.chat = target.chat; state.thread = thread; state.replyTo = null; $("replying").hidden = true;
  openDrawer(false);
  state.focus = target.message !== null && target.message !== thread
    ? { chat: target.chat, thread, message: target.message, scrolled: false } : null;
  await refresh();
}

function sizeText(bytes) {
  return bytes < 1024 ? `${bytes} B` : bytes < 1048576 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1048576).toFixed(1)} MB`;
}

async function press(messageId, data) {
  const pending = `${state.chat}:${messageId}`;
  if (state.pending.has(pending)) return;
  state.pending.add(pending);
  for (const button of document.querySelectorAll(`.msg[data-message-id="${messageId}"] .buttons button`)) {
    button.disabled = true; button.classList.add("pending");
  }
  try { await pressAndWait(messageId, data); }
  finally {
    state.pending.delete(pending);
    await refresh();  // what the bot did to the message (buttons removed, text edited) shows at once
  }
}

async function pressAndWait(messageId, data) {
  let query;
  try { query = await api("/sandbox/callbacks", { from: state.me, chat_id: state.chat, message_id: messageId, data }); showError(""); }
  catch (error) { showError(problem(error)); return; }
  // Like a Telegram client: wait for the bot's answer to the press, and show its text as a pop-up.
  const until = Date.now() + 10000;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    let answer;
    try { answer = await api(`/sandbox/callbacks/${query.callback_query_id}`); } catch (error) { return; }
    if (answer.answered) {
      if (answer.answer_text) toast(answer.answer_text, answer.show_alert);
      return;
    }
  }
  toast("Bot chưa trả lời lượt bấm nút này.", false);
}

// A link button: a group's invite link files a join request, as a Telegram client would.
async function follow(url) {
  const target = telegramTarget(url);
  if (target) { await openTelegramLink(target); return; }
  if (!/^https?:\/\/t\.me\/(\+|joinchat\/)/i.test(url)) { window.open(url, "_blank", "noopener"); return; }
  try {
    const result = await api("/sandbox/join_requests", { from: state.me, invite_link: url });
    toast(result.joined ? "Đã vào nhóm." : "Đã gửi yêu cầu vào nhóm.", false);
    await refresh();
  } catch (error) { showError(problem(error)); }
}

// A pop-up answer: a short toast, or (show_alert) one that stays until it is closed.
function toast(text, alert) {
  const box = document.createElement("div");
  box.className = "toast" + (alert ? " alert" : "");
  box.setAttribute("role", alert ? "alertdialog" : "status");
  const words = document.createElement("div");
  words.className = "toast-text";
  words.textContent = text;
  box.appendChild(words);
  const close = () => { box.remove(); };
  if (alert) {
    const ok = document.createElement("button");
    ok.type = "button";
    ok.textContent = "Đóng";
    ok.onclick = close;
    box.appendChild(ok);
  } else {
    setTimeout(close, 4000);
  }
  // One at a time, the newest in place of the one before (as Telegram shows them); it sits above
  // the composer in the page's flow, and the messages keep their last one in view.
  const messages = $("messages");
  const atBottom = messages.scrollTop + messages.clientHeight >= messages.scrollHeight - 30;
  $("toasts").replaceChildren(box);
  if (atBottom) messages.scrollTop = messages.scrollHeight;
}

async function send(event) {
  if (event) event.preventDefault();
  if (state.closed) return;
  const text = $("text").value;
  const file = $("file").files[0];
  const body = { from: state.me, chat_id: state.chat };
  if (state.thread) body.message_thread_id = state.thread;
  if (state.replyTo) body.reply_to_message_id = state.replyTo;
  if (!file && !text.trim()) return;
  const limit = file ? CAPTION_LIMIT : TEXT_LIMIT;
  if (text.length > limit) { showError(REASONS[file ? "caption_too_long" : "text_too_long"]({ length: text.length, limit })); return; }
  try {
    if (file && isPicture(file) && $("as-photo").checked) body.photo = { content_b64: await toBase64(file) };
    else if (file) body.document = { file_name: file.name, mime_type: file.type || "application/octet-stream", content_b64: await toBase64(file) };
  } catch (error) { showError(REASONS.bad_file()); return; }
  if (text) body.text = text;
  try {
    await api("/sandbox/messages", body);
    $("text").value = ""; fitComposer(); $("file").value = ""; $("file-name").textContent = ""; $("as-photo-label").hidden = true; state.replyTo = null; $("replying").hidden = true; showError("");
    await refresh();
  } catch (error) { showError(problem(error)); }
}

// Enter sends; Shift+Enter starts a new line (the box grows with it).
function onKey(event) {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); send(null); }
}

function fitComposer() {
  const box = $("text");
  box.style.height = "auto";
  box.style.height = Math.min(box.scrollHeight, 200) + "px";
}

// A picture the page can send as a Telegram photo (the bot then gets its PhotoSize list).
function isPicture(file) { return /^image\/(png|jpeg|webp|gif|bmp)$/.test(file.type); }

function toBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1]);
    reader.onerror = reject;
    reader.readAsDataURL(file);
  });
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function showError(message) { $("error").textContent = message; }

async function refresh() {
  try { await loadChats(); await loadMessages(); }
  catch (error) {
    // A group gone after a restart: back to the person's own private chat, which always exists.
    if (error.reason === "chat_not_found" && state.chat !== state.me) { state.chat = null; state.thread = null; }
    showError(problem(error));
  }
}

$("who").onchange = () => { state.me = Number($("who").value); state.chat = null; state.thread = null; refresh(); };
$("messages").addEventListener("click", (event) => {  // t.me links open in the sandbox
  const anchor = event.target.closest("a[href]");
  const target = anchor && telegramTarget(anchor.getAttribute("href"));
  if (!target) return;
  event.preventDefault();
  event.stopPropagation();
  openTelegramLink(target).catch((error) => showError(problem(error)));
}, true);
$("drawer-toggle").onclick = () => openDrawer(!$("drawer").classList.contains("open"));
document.addEventListener("click", (event) => {  // a tap beside the open drawer closes it
  if ($("drawer").classList.contains("open") && !event.target.closest("#drawer, #drawer-toggle")) openDrawer(false);
});
$("composer").onsubmit = send;
$("text").onkeydown = onKey;
$("text").oninput = fitComposer;
$("file").onchange = () => {
  const file = $("file").files[0];
  $("as-photo-label").hidden = !(file && isPicture(file));
  $("file-name").textContent = file ? file.name : "";
};
$("reply-cancel").onclick = () => { state.replyTo = null; $("replying").hidden = true; };
loadPeople().then(refresh);
setInterval(refresh, 1000);
